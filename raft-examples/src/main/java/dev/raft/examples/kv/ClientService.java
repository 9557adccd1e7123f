package dev.raft.examples.kv;

import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.service.NodeContext;
import dev.raft.api.service.NodeService;
import dev.raft.api.service.OutcomeListener;
import dev.raft.core.session.SessionCommand;
import dev.raft.core.session.SessionResponse;
import dev.raft.examples.internal.codec.ClientResponseEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link KvClient}s for one {@link KvNode}: subscribes on the node's client endpoint (the Raft endpoint's
 * port + 1) through the node's own media driver, proposes every command to the node as is, and answers each
 * request on the client's reply endpoint with the result and the node's metrics, or with NOT_LEADER, the leader
 * it knows of and that leader's client endpoint. It runs on the node's own thread ({@link NodeService}): each duty
 * cycle polls the subscription, proposes and reads through the {@link NodeContext} (no queue, no future, no copy
 * besides the log's own), and answers each outcome from {@link OutcomeListener} as the node delivers it.
 *
 * <p>Every request is checked in place before anything is allocated for it ({@link ClientRequestFrame}); the
 * command is copied once, into the log, so a request costs at most its own length plus a constant. Requests
 * are answered only on their own source host; malformed, unauthenticated and misdirected requests are counted
 * (see {@link Counter}), never answered, and only the first of each kind is logged, as a short escaped prefix.
 *
 * <p>When the node's state machine has sessions (the key-value map does), every command is proposed in a
 * {@link SessionCommand} envelope built from the request's session fields and stamped with this node's clock, and
 * the answer carries the session table's verdict ({@code sessionStatus}).
 *
 * <p>What an answer promises: OK, the command was applied once and this is its result (also when the session table
 * answered a retry: REPLAYED); NOT_LEADER and REJECTED, this request was not applied (REJECTED with a session status:
 * the session table refused it; an earlier send of the same sequence may have been applied); ERROR, it was proposed
 * and its fate is unknown (leadership lost, node stopping).
 */
public final class ClientService implements NodeService, OutcomeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);
    private static final int MAX_PUBLICATIONS = 256;
    private static final long REPLY_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int LOGGED_PREFIX_BYTES = 32;

    /** What the service counts. Every received request lands in exactly one of {@link #isRequestOutcome()}. */
    public enum Counter {
        /** Requests received (one per Aeron message). */
        REQUESTS(false),
        /** Commands proposed to the node. */
        COMMANDS(true),
        /** Status requests answered. */
        STATUS_REQUESTS(true),
        /** Admin requests ({@code raftkv admin}) executed or refused. */
        ADMIN_REQUESTS(true),
        /** GETs served without the log ({@code RaftNode.read}). */
        READS(true),
        /** Commands longer than the limit, answered REJECTED. */
        OVERSIZE(true),
        /** Requests without a valid tag while a client key is configured: dropped. */
        UNAUTHENTICATED(true),
        /** Requests whose reply endpoint is not on the request's source host: dropped. */
        REPLY_REFUSED(true),
        /** Shorter than an SBE header. */
        MALFORMED_SHORT(true),
        /** Another schema, message or version. */
        MALFORMED_FOREIGN(true),
        /** A bad block length. */
        MALFORMED_BLOCK(true),
        /** A bad request kind. */
        MALFORMED_KIND(true),
        /** A command length running past the frame. */
        MALFORMED_COMMAND_LENGTH(true),
        /** A reply endpoint too long, past the frame, or not host:port. */
        MALFORMED_REPLY_TO(true),
        /** Inconsistent session fields (see {@link SessionCommand#consistent}), or session fields on a status request. */
        MALFORMED_SESSION(true),
        /** Lengths that do not add up to the frame. */
        MALFORMED_FRAME_LENGTH(true),
        /** Commands answered from the session table (a retry of a command applied before): not applied again. */
        REPLAYED(false),
        /** Commands the session table refused (stale sequence, expired session, table full): answered REJECTED. */
        SESSION_REFUSED(false),
        /** Answers that could not be delivered (client unreachable, queue full). */
        REPLIES_DROPPED(false),
        /** Errors raised inside the service's thread (logged as one line each, no stack trace). */
        ERRORS(false);

        private final boolean requestOutcome;

        Counter(boolean requestOutcome) {
            this.requestOutcome = requestOutcome;
        }

        /** Whether this counter is one of the outcomes that together account for every {@link #REQUESTS}. */
        public boolean isRequestOutcome() {
            return requestOutcome;
        }
    }

    /**
     * The service's settings.
     *
     * @param maxCommandBytes the longest command accepted, 1..{@link ClientProtocol#MAX_COMMAND_BYTES}; longer ones
     *                        are answered REJECTED
     * @param authenticator   the client key's authenticator: requests without a valid tag are dropped and
     *                        counted, answers are tagged; null to accept unauthenticated requests
     */
    public record Settings(int maxCommandBytes, ClientAuthenticator authenticator) {
        /** The defaults: {@link ClientProtocol#MAX_COMMAND_BYTES}, no key. */
        public static Settings defaults() {
            return new Settings(ClientProtocol.MAX_COMMAND_BYTES, null);
        }

        /**
         * The defaults with the client key of {@code keyFile}, or without a key if it is null.
         *
         * @throws IllegalArgumentException naming the file if it cannot be used (see {@link ClientAuthenticator#fromFile})
         */
        public static Settings withKeyFile(java.nio.file.Path keyFile) {
            return new Settings(ClientProtocol.MAX_COMMAND_BYTES, keyFile == null ? null : ClientAuthenticator.fromFile(keyFile));
        }
    }

    private static final int POLL_LIMIT = 64;
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final KvNode node;
    private final String endpoint;
    private final Settings settings;
    private final Aeron aeron;
    private final Subscription subscription;
    private final FragmentHandler assembler = new FragmentAssembler(this::onRequest);
    private final ClientRequestFrame frame;
    private final ExpandableArrayBuffer sendBuffer = new ExpandableArrayBuffer(1024);
    private final UnsafeBuffer resultBuffer = new UnsafeBuffer(new byte[0]);
    private final ExpandableArrayBuffer envelope = new ExpandableArrayBuffer(1024);
    private final ClientResponseEncoder responseEncoder = new ClientResponseEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final boolean sessions;
    /** Answers decided off the duty cycle (admin requests), sent by the next cycle. */
    private final ManyToOneConcurrentArrayQueue<Reply> completed = new ManyToOneConcurrentArrayQueue<>(4096);
    private final ArrayDeque<Reply> unsent = new ArrayDeque<>();
    private final AtomicLongArray counters = new AtomicLongArray(Counter.values().length);
    private final boolean[] logged = new boolean[Counter.values().length];
    private final ReplyRoutes routes;
    private final PendingReplies pending = new PendingReplies();
    private NodeContext context;
    private boolean detached;
    private long now;
    private int endpointLeaderId = NodeId.NONE;
    private Membership endpointMembership;
    private byte[] leaderEndpoint = new byte[0];
    private boolean started;

    /** An answer that waits: for a publication to connect or drain (back-pressure), or decided off the cycle. */
    private record Reply(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                         byte[] result, String message, long deadlineNanos) {
    }

    /** A service with {@link Settings#defaults()}. */
    public ClientService(KvNode node, String endpoint) {
        this(node, endpoint, Settings.defaults());
    }

    /**
     * Connects to the node's media driver and subscribes on {@code endpoint} ({@code host:port}). Call
     * {@link #start()} to serve.
     */
    public ClientService(KvNode node, String endpoint, Settings settings) {
        this.node = node;
        this.endpoint = endpoint;
        this.settings = settings;
        this.frame = new ClientRequestFrame(settings.authenticator(), settings.maxCommandBytes());
        this.sessions = node.sessions().isPresent();
        // not Aeron's default handler: it exits the JVM (status 255, a banner) when the node's driver stops, which
        // it does when the node fails; the server must instead exit with its one line naming the cause
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory())
            .errorHandler(AeronErrors.logOnly("node " + node.id() + " client service")));
        try {
            subscription = aeron.addSubscription("aeron:udp?endpoint=" + endpoint + "|sparse=true", ClientProtocol.STREAM_ID);
        } catch (RuntimeException e) {
            aeron.close();
            throw e;
        }
        routes = new ReplyRoutes(aeron);
    }

    /** The client endpoint of a node whose Raft endpoint is {@code raftEndpoint}: the same host, port + 1. */
    public static String clientEndpoint(String raftEndpoint) {
        return ClientProtocol.clientEndpoint(raftEndpoint);
    }

    /**
     * Starts serving on the node's own thread ({@link dev.raft.api.RaftNode#attach}): requests are polled, proposed
     * and answered in the node's duty cycle, with no thread, queue or future of their own.
     *
     * @throws IllegalStateException if already started, or the node does not take the service within 10 s (closed,
     *                               failed, or stalled)
     */
    public synchronized ClientService start() {
        if (started) {
            throw new IllegalStateException("ClientService of node " + node.id() + " already started");
        }
        started = true;
        try {
            node.raft().attach(this).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("node " + node.id() + ": cannot start the client service: "
                + e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("node " + node.id() + ": the node did not start the client service within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("node " + node.id() + ": interrupted while starting the client service");
        }
        return this;
    }

    @Override
    public String serviceName() {
        return "raftkv-clients-" + node.id();
    }

    @Override
    public void onAttach(NodeContext nodeContext) {
        context = nodeContext;
    }

    @Override
    public int doWork(long nowNanos) {
        now = nowNanos;
        int work;
        try {
            work = subscription.poll(assembler, POLL_LIMIT);
            Reply reply;
            while ((reply = completed.poll()) != null) {
                send(reply);
                work++;
            }
            for (int i = unsent.size(); i > 0; i--) {
                send(unsent.poll());
            }
        } catch (RuntimeException e) {
            count(Counter.ERRORS);
            LOG.warn("node {}: client service error: {}", node.id(), e.toString());
            work = 1;
        }
        return work;
    }

    private void onRequest(DirectBuffer buffer, int offset, int length, Header frameHeader) {
        count(Counter.REQUESTS);
        final ClientRequestFrame.Verdict verdict = frame.parse(buffer, offset, length);
        final Counter rejected = switch (verdict) {
            case OK, OVERSIZE -> null;
            case UNAUTHENTICATED -> Counter.UNAUTHENTICATED;
            case SHORT -> Counter.MALFORMED_SHORT;
            case FOREIGN -> Counter.MALFORMED_FOREIGN;
            case BAD_BLOCK -> Counter.MALFORMED_BLOCK;
            case BAD_KIND -> Counter.MALFORMED_KIND;
            case BAD_COMMAND_LENGTH -> Counter.MALFORMED_COMMAND_LENGTH;
            case BAD_REPLY_TO -> Counter.MALFORMED_REPLY_TO;
            case BAD_SESSION -> Counter.MALFORMED_SESSION;
            case BAD_FRAME_LENGTH -> Counter.MALFORMED_FRAME_LENGTH;
        };
        if (rejected != null) {
            drop(rejected, buffer, offset, length, frameHeader);
            return;
        }
        final String source = sourceIdentity(frameHeader);
        final ReplyRoutes.Route route = routes.route(buffer, frame.replyToOffset(), frame.replyToLength());
        // a route checked against this source before passes at once (Aeron keeps one identity string per image)
        if (route.checkedSource != source || source == null) {
            if (!onSourceHost(buffer, frame.replyToOffset(), frame.replyToLength(), source)) {
                drop(Counter.REPLY_REFUSED, buffer, offset, length, frameHeader);
                return;
            }
            route.checkedSource = source;
        }
        final long correlationId = frame.correlationId();
        final long deadline = now + REPLY_DEADLINE_NANOS;
        if (verdict == ClientRequestFrame.Verdict.OVERSIZE) {
            count(Counter.OVERSIZE);
            answer(route, correlationId, ResponseCode.REJECTED, SessionStatus.NULL_VAL, null, "command of "
                + frame.commandLength() + " bytes exceeds this server's limit of " + frame.maxCommandBytes() + " bytes",
                deadline);
        } else if (frame.isCommand()) {
            count(Counter.COMMANDS);
            propose(buffer, route, correlationId, deadline);
        } else if (frame.isAdmin()) {
            count(Counter.ADMIN_REQUESTS);
            AdminService.execute(node.raft(), buffer, frame.commandOffset(), frame.commandLength()).thenAccept(a -> {
                if (!completed.offer(new Reply(route, correlationId, a.code(), SessionStatus.NULL_VAL, a.result(),
                    a.message(), deadline))) {
                    count(Counter.REPLIES_DROPPED);
                }
            });
        } else if (frame.readPolicy() != null) {
            count(Counter.READS);
            read(buffer, route, correlationId, deadline);
        } else {
            count(Counter.STATUS_REQUESTS);
            answer(route, correlationId, ResponseCode.OK, SessionStatus.NULL_VAL, null, null, deadline);
        }
    }

    /**
     * Proposes the request's command: when the node's state machine has sessions, inside a {@link SessionCommand}
     * envelope carrying the request's session fields and this node's clock (the leader's stamp that drives session
     * expiry); otherwise as is. A refusal is answered at once; the outcome of an accepted command comes back
     * through {@link #onResult} or {@link #onError}.
     */
    private void propose(DirectBuffer buffer, ReplyRoutes.Route route, long correlationId, long deadline) {
        final int slot = pending.take(route, correlationId, deadline,
            sessions ? PendingReplies.SESSION_COMMAND : PendingReplies.COMMAND);
        final long result;
        if (sessions) {
            envelope.checkLimit(SessionCommand.HEADER_LENGTH + frame.commandLength());
            final int length = SessionCommand.encode(envelope, 0, frame.clientId(), frame.sequence(), frame.ackedBelow(),
                System.currentTimeMillis(), buffer, frame.commandOffset(), frame.commandLength());
            result = context.propose(envelope, 0, length, this, slot);
        } else {
            result = context.propose(buffer, frame.commandOffset(), frame.commandLength(), this, slot);
        }
        if (result > 0) {
            return;
        }
        pending.release(slot);
        final int id = node.id();
        if (result == NodeContext.NOT_LEADER) {
            answer(route, correlationId, ResponseCode.NOT_LEADER, SessionStatus.NULL_VAL, null,
                "node " + id + " is not the leader", deadline);
            return;
        }
        final String why = result == NodeContext.TRANSFER_IN_PROGRESS
            ? "node " + id + " refused the command: it is handing its leadership over (retry at the new leader)"
            : result == NodeContext.TOO_LONG ? "node " + id + " refused the command: it exceeds RaftConfig.maxBytesPerAppend"
            : "node " + id + " is shutting down";
        answer(route, correlationId, ResponseCode.REJECTED, SessionStatus.NULL_VAL, null, why, deadline);
    }

    /** A GET without the log: answered OK, NOT_LEADER, or ERROR (it changed nothing: the client may resend it). */
    private void read(DirectBuffer buffer, ReplyRoutes.Route route, long correlationId, long deadline) {
        final int slot = pending.take(route, correlationId, deadline, PendingReplies.READ);
        final long result = context.read(frame.readPolicy(), buffer, frame.commandOffset(), frame.commandLength(), this,
            slot);
        if (result != 0) {
            pending.release(slot);
            answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + node.id()
                + " did not serve the read: " + (result == NodeContext.BUSY ? "too many reads wait"
                : result == NodeContext.TOO_LONG ? "the query is too long" : "the node is shutting down"), deadline);
        }
    }

    @Override
    public void onResult(long correlation, byte[] result) {
        onOutcome(correlation, result, null);
    }

    @Override
    public void onError(long correlation, RuntimeException error) {
        onOutcome(correlation, null, error);
    }

    /** Answers the request in slot {@code correlation} (if still pending) with the result or the error. */
    private void onOutcome(long correlation, byte[] result, RuntimeException error) {
        if (detached || !pending.taken(correlation)) {
            return;
        }
        final int slot = (int) correlation;
        final ReplyRoutes.Route route = pending.route(slot);
        final long correlationId = pending.correlationId(slot);
        final long deadline = pending.deadline(slot);
        final byte kind = pending.kind(slot);
        pending.release(slot);
        if (error == null) {
            if (kind == PendingReplies.SESSION_COMMAND) {
                sessionAnswer(route, correlationId, result, deadline);
            } else {
                answer(route, correlationId, ResponseCode.OK, SessionStatus.NULL_VAL, result, null, deadline);
            }
            return;
        }
        final int id = node.id();
        if (kind == PendingReplies.READ) {
            if (error instanceof NotLeaderException) {
                answer(route, correlationId, ResponseCode.NOT_LEADER, SessionStatus.NULL_VAL, null, "node " + id
                    + " knows no leader to confirm the read with", deadline);
            } else {
                answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + id
                    + " did not serve the read: " + error.getMessage(), deadline);
            }
            return;
        }
        final String why = error instanceof LeadershipLostException
            ? "node " + id + " lost its leadership before the command was known committed; it may still be applied"
            : error instanceof NodeClosedException
                ? "node " + id + " stopped before the command was known committed; it may still be applied"
                : "node " + id + " failed after the command was proposed (" + error.getMessage() + "); it may have been applied";
        answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, why, deadline);
    }

    /** The answer to a command the session table decided: applied (now or before) is OK, a refusal is REJECTED. */
    private void sessionAnswer(ReplyRoutes.Route route, long correlationId, byte[] result, long deadline) {
        final SessionResponse response;
        try {
            response = SessionResponse.decode(result);
        } catch (IllegalArgumentException e) {
            answer(route, correlationId, ResponseCode.ERROR, SessionStatus.NULL_VAL, null, "node " + node.id()
                + " applied the command but its answer is no session response (" + e.getMessage() + ")", deadline);
            return;
        }
        final SessionStatus status = SessionStatus.get(response.status().code());
        if (response.status().applied()) {
            if (response.status() != dev.raft.core.session.SessionStatus.APPLIED) {
                count(Counter.REPLAYED);
            }
            answer(route, correlationId, ResponseCode.OK, status, response.response(), null, deadline);
            return;
        }
        count(Counter.SESSION_REFUSED);
        answer(route, correlationId, ResponseCode.REJECTED, status, null, "node " + node.id()
            + ": the session table refused the command (" + response.status() + "); it was not applied now", deadline);
    }

    private void send(Reply reply) {
        answer(reply.route(), reply.correlationId(), reply.code(), reply.sessionStatus(), reply.result(), reply.message(),
            reply.deadlineNanos());
    }

    /**
     * Answers a request with the node's state as of now; an answer that cannot be sent yet (publication not
     * connected, back-pressured) waits in {@link #unsent} until its deadline.
     */
    private void answer(ReplyRoutes.Route route, long correlationId, ResponseCode code, SessionStatus sessionStatus,
                        byte[] result, String message, long deadline) {
        if (detached) {
            return;
        }
        final ExclusivePublication publication;
        try {
            publication = routes.publication(route);
            if (publication == null) { // the driver is still adding it: wait like an answer to one not yet connected
                deferOrDrop(new Reply(route, correlationId, code, sessionStatus, result, message, deadline));
                return;
            }
        } catch (RuntimeException e) {
            count(Counter.REPLIES_DROPPED);
            if (!logged[Counter.REPLIES_DROPPED.ordinal()]) {
                logged[Counter.REPLIES_DROPPED.ordinal()] = true;
                LOG.warn("node {}: cannot answer a client at {}: {}; further ones are only counted", node.id(),
                    route.replyTo, e.getMessage());
            }
            return;
        }
        if (result != null) {
            resultBuffer.wrap(result);
        }
        int length = ClientProtocol.encodeResponse(sendBuffer, responseEncoder, headerEncoder, correlationId, code,
            context, sessionStatus, result == null ? EMPTY : resultBuffer, result == null ? 0 : result.length, message,
            leaderEndpoint());
        if (settings.authenticator() != null) {
            sendBuffer.checkLimit(length + ClientProtocol.MAC_LENGTH);
            settings.authenticator().sign(sendBuffer, 0, length);
            length += ClientProtocol.MAC_LENGTH;
        }
        final long position = publication.offer(sendBuffer, 0, length);
        if (position > 0) {
            return;
        }
        if (position == Publication.NOT_CONNECTED || position == Publication.BACK_PRESSURED
            || position == Publication.ADMIN_ACTION) {
            deferOrDrop(new Reply(route, correlationId, code, sessionStatus, result, message, deadline));
        } else {
            count(Counter.REPLIES_DROPPED);
            if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
                routes.remove(route);
            }
        }
    }

    /** An answer that cannot be sent yet waits in {@link #unsent} until its deadline, then is dropped and counted. */
    private void deferOrDrop(Reply reply) {
        if (now - reply.deadlineNanos() < 0) {
            unsent.add(reply);
        } else {
            count(Counter.REPLIES_DROPPED);
        }
    }

    /**
     * The client endpoint of the leader (ASCII): from its Raft endpoint in the membership, else in the node's
     * configuration; made again only when the leader or the membership changes.
     */
    private byte[] leaderEndpoint() {
        final int leaderId = context.leaderId();
        final Membership membership = context.membership();
        if (leaderId != endpointLeaderId || membership != endpointMembership) {
            endpointLeaderId = leaderId;
            endpointMembership = membership;
            String hint = "";
            if (leaderId != NodeId.NONE) {
                final String known = membership.endpoint(leaderId);
                final String raft = known != null ? known : node.options().endpoints().get(leaderId);
                hint = raft == null ? "" : ClientProtocol.clientEndpoint(raft);
            }
            leaderEndpoint = hint.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return leaderEndpoint;
    }

    private String sourceIdentity(Header frameHeader) {
        if (frameHeader.context() instanceof Image image) {
            return image.sourceIdentity();
        }
        final Image image = subscription.imageBySessionId(frameHeader.sessionId());
        return image == null ? null : image.sourceIdentity();
    }

    /** Whether the reply endpoint's host is the host part of the request's source identity (ip:port). */
    private static boolean onSourceHost(DirectBuffer buffer, int replyToOffset, int replyToLength, String source) {
        if (source == null) {
            return false;
        }
        final int sourceColon = source.lastIndexOf(':');
        int replyColon = -1;
        for (int i = replyToLength - 1; i >= 0; i--) {
            if (buffer.getByte(replyToOffset + i) == ':') {
                replyColon = i;
                break;
            }
        }
        if (sourceColon < 0 || replyColon != sourceColon) {
            return false;
        }
        for (int i = 0; i < replyColon; i++) {
            if (buffer.getByte(replyToOffset + i) != source.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void drop(Counter counter, DirectBuffer buffer, int offset, int length, Header frameHeader) {
        count(counter);
        if (!logged[counter.ordinal()]) {
            logged[counter.ordinal()] = true;
            LOG.warn("node {}: dropped a client request ({}) from {}: {}; further ones are only counted", node.id(),
                counter, sourceIdentity(frameHeader), ClientProtocol.escapedPrefix(buffer, offset, length, LOGGED_PREFIX_BYTES));
        }
    }

    private void count(Counter counter) {
        final int i = counter.ordinal();
        counters.setRelease(i, counters.getPlain(i) + 1); // one writer: the node thread
    }

    /** The current value of one counter. */
    public long counter(Counter counter) {
        return counters.get(counter.ordinal());
    }

    /** Every counter's current value. */
    public Map<Counter, Long> counters() {
        final Map<Counter, Long> values = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) {
            values.put(c, counters.get(c.ordinal()));
        }
        return values;
    }

    /** Requests dropped and answers not delivered so far (every counter of a dropped request, and REPLIES_DROPPED). */
    public long dropped() {
        long sum = counters.get(Counter.REPLIES_DROPPED.ordinal());
        for (Counter c : Counter.values()) {
            if (c.isRequestOutcome() && c != Counter.COMMANDS && c != Counter.STATUS_REQUESTS && c != Counter.OVERSIZE
                && c != Counter.ADMIN_REQUESTS && c != Counter.READS) {
                sum += counters.get(c.ordinal());
            }
        }
        return sum;
    }

    /** The endpoint this service listens on. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void onDetach() {
        detached = true;
        routes.close();
        CloseHelper.quietClose(subscription);
    }

    /**
     * Stops serving (detaches from the node, waiting at most 5 s) and disconnects from the media driver; the node
     * stays up. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (started) {
            try {
                node.raft().detach(this).get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                LOG.warn("node {}: the client service did not detach cleanly: {}", node.id(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        CloseHelper.quietClose(aeron);
    }
}
