package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.api.RaftMetrics;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.core.session.SessionCommand;
import dev.raft.core.session.SessionResponse;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link KvClient}s for one {@link KvNode}: subscribes on the node's client endpoint (the Raft endpoint's
 * port + 1) through the node's own media driver, proposes every command to the node as is, and answers each
 * request on the client's reply endpoint with the result and the node's metrics, or with NOT_LEADER, the leader
 * it knows of and that leader's client endpoint. One agent thread (backoff idle); command results come back
 * from the node's thread through a queue.
 *
 * <p>Every request is checked in place before anything is allocated for it ({@link ClientRequestFrame}); the
 * command is copied once by {@code propose}, so a request costs at most its own length plus a constant. Requests
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
public final class ClientService implements Agent, AutoCloseable {
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
    private final boolean sessions;
    private final ManyToOneConcurrentArrayQueue<Reply> completed = new ManyToOneConcurrentArrayQueue<>(4096);
    private final ArrayDeque<Reply> unsent = new ArrayDeque<>();
    private final AtomicLongArray counters = new AtomicLongArray(Counter.values().length);
    private final boolean[] logged = new boolean[Counter.values().length];
    private final Map<String, ExclusivePublication> publications = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ExclusivePublication> eldest) {
            if (size() > MAX_PUBLICATIONS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    private AgentRunner runner;

    private record Reply(String replyTo, long correlationId, ResponseCode code, SessionStatus sessionStatus, byte[] result,
                         String message, long deadlineNanos) {
        Reply(String replyTo, long correlationId, ResponseCode code, byte[] result, String message, long deadlineNanos) {
            this(replyTo, correlationId, code, SessionStatus.NULL_VAL, result, message, deadlineNanos);
        }
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
    }

    /** The client endpoint of a node whose Raft endpoint is {@code raftEndpoint}: the same host, port + 1. */
    public static String clientEndpoint(String raftEndpoint) {
        return ClientProtocol.clientEndpoint(raftEndpoint);
    }

    /** Starts serving on a thread of its own. */
    public synchronized ClientService start() {
        if (runner != null) {
            throw new IllegalStateException("ClientService of node " + node.id() + " already started");
        }
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1)), this::onError, null, this);
        AgentRunner.startOnThread(runner);
        return this;
    }

    private void onError(Throwable e) {
        counters.incrementAndGet(Counter.ERRORS.ordinal());
        LOG.warn("node {}: client service error: {}", node.id(), e.toString());
    }

    @Override
    public String roleName() {
        return "raftkv-clients-" + node.id();
    }

    @Override
    public int doWork() {
        int work = subscription.poll(assembler, 16);
        Reply reply = completed.poll();
        final int retries = unsent.size();
        if (reply == null && retries == 0) {
            return work;
        }
        // one metrics snapshot per duty cycle serves every reply of the cycle (reading it allocates)
        final RaftMetrics metrics = node.metrics();
        for (; reply != null; reply = completed.poll()) {
            send(reply, metrics);
            work++;
        }
        for (int i = 0; i < retries; i++) {
            send(unsent.poll(), metrics);
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
        if (!onSourceHost(buffer, frame.replyToOffset(), frame.replyToLength(), source)) {
            drop(Counter.REPLY_REFUSED, buffer, offset, length, frameHeader);
            return;
        }
        final String replyTo = buffer.getStringWithoutLengthAscii(frame.replyToOffset(), frame.replyToLength());
        final long correlationId = frame.correlationId();
        final long deadline = System.nanoTime() + REPLY_DEADLINE_NANOS;
        if (verdict == ClientRequestFrame.Verdict.OVERSIZE) {
            count(Counter.OVERSIZE);
            send(new Reply(replyTo, correlationId, ResponseCode.REJECTED, null, "command of " + frame.commandLength()
                + " bytes exceeds this server's limit of " + frame.maxCommandBytes() + " bytes", deadline));
        } else if (frame.isCommand()) {
            count(Counter.COMMANDS);
            propose(buffer, replyTo, correlationId, deadline);
        } else if (frame.isAdmin()) {
            count(Counter.ADMIN_REQUESTS);
            AdminService.execute(node.raft(), buffer, frame.commandOffset(), frame.commandLength()).thenAccept(a -> {
                if (!completed.offer(new Reply(replyTo, correlationId, a.code(), a.result(), a.message(), deadline))) {
                    count(Counter.REPLIES_DROPPED);
                }
            });
        } else if (frame.readPolicy() != null) {
            count(Counter.READS);
            read(buffer, replyTo, correlationId, deadline);
        } else {
            count(Counter.STATUS_REQUESTS);
            send(new Reply(replyTo, correlationId, ResponseCode.OK, null, null, deadline));
        }
    }

    /**
     * Proposes the request's command: when the node's state machine has sessions, inside a {@link SessionCommand}
     * envelope carrying the request's session fields and this node's clock (the leader's stamp that drives session
     * expiry); otherwise as is.
     */
    private void propose(DirectBuffer buffer, String replyTo, long correlationId, long deadline) {
        final boolean sessioned = sessions;
        final CompletableFuture<byte[]> future;
        if (sessioned) {
            envelope.checkLimit(SessionCommand.HEADER_LENGTH + frame.commandLength());
            final int length = SessionCommand.encode(envelope, 0, frame.clientId(), frame.sequence(), frame.ackedBelow(),
                System.currentTimeMillis(), buffer, frame.commandOffset(), frame.commandLength());
            future = node.raft().propose(envelope, 0, length);
        } else {
            future = node.raft().propose(buffer, frame.commandOffset(), frame.commandLength());
        }
        final boolean refusedAtOnce = future.isDone(); // propose fails synchronously only before queueing the command
        future.whenComplete((result, error) -> {
            final Reply r = error != null ? failure(replyTo, correlationId, unwrap(error), refusedAtOnce, deadline)
                : sessioned ? sessionReply(replyTo, correlationId, result, deadline)
                : new Reply(replyTo, correlationId, ResponseCode.OK, result, null, deadline);
            if (!completed.offer(r)) {
                count(Counter.REPLIES_DROPPED);
            }
        });
    }

    /** A GET without the log: answered OK, NOT_LEADER, or ERROR (it changed nothing: the client may resend it). */
    private void read(DirectBuffer buffer, String replyTo, long correlationId, long deadline) {
        node.raft().read(frame.readPolicy(), buffer, frame.commandOffset(), frame.commandLength())
            .whenComplete((result, error) -> {
                final Throwable cause = error == null ? null : unwrap(error);
                final Reply r = cause == null ? new Reply(replyTo, correlationId, ResponseCode.OK, result, null, deadline)
                    : cause instanceof NotLeaderException
                        ? new Reply(replyTo, correlationId, ResponseCode.NOT_LEADER, null, "node " + node.id()
                            + " knows no leader to confirm the read with", deadline)
                        : new Reply(replyTo, correlationId, ResponseCode.ERROR, null, "node " + node.id()
                            + " did not serve the read: " + cause.getMessage(), deadline);
                if (!completed.offer(r)) {
                    count(Counter.REPLIES_DROPPED);
                }
            });
    }

    /** The answer to a command the session table decided: applied (now or before) is OK, a refusal is REJECTED. */
    private Reply sessionReply(String replyTo, long correlationId, byte[] result, long deadline) {
        final SessionResponse response;
        try {
            response = SessionResponse.decode(result);
        } catch (IllegalArgumentException e) {
            return new Reply(replyTo, correlationId, ResponseCode.ERROR, null, "node " + node.id()
                + " applied the command but its answer is no session response (" + e.getMessage() + ")", deadline);
        }
        final SessionStatus status = SessionStatus.get(response.status().code());
        if (response.status().applied()) {
            if (response.status() != dev.raft.core.session.SessionStatus.APPLIED) {
                count(Counter.REPLAYED);
            }
            return new Reply(replyTo, correlationId, ResponseCode.OK, status, response.response(), null, deadline);
        }
        count(Counter.SESSION_REFUSED);
        return new Reply(replyTo, correlationId, ResponseCode.REJECTED, status, null, "node " + node.id()
            + ": the session table refused the command (" + response.status() + "); it was not applied now", deadline);
    }

    private Reply failure(String replyTo, long correlationId, Throwable cause, boolean refusedAtOnce, long deadline) {
        final int id = node.id();
        if (cause instanceof NotLeaderException) {
            return new Reply(replyTo, correlationId, ResponseCode.NOT_LEADER, null, "node " + id + " is not the leader",
                deadline);
        }
        if (refusedAtOnce) {
            final String why = cause instanceof NodeClosedException ? "node " + id + " is shutting down"
                : "node " + id + " refused the command: " + cause.getMessage();
            return new Reply(replyTo, correlationId, ResponseCode.REJECTED, null, why, deadline);
        }
        final String why = cause instanceof LeadershipLostException
            ? "node " + id + " lost its leadership before the command was known committed; it may still be applied"
            : cause instanceof NodeClosedException
                ? "node " + id + " stopped before the command was known committed; it may still be applied"
                : "node " + id + " failed after the command was proposed (" + cause.getMessage() + "); it may have been applied";
        return new Reply(replyTo, correlationId, ResponseCode.ERROR, null, why, deadline);
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
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
        counters.incrementAndGet(counter.ordinal());
    }

    /** Answers at once (status probes and refusals), with the node's current metrics. */
    private void send(Reply reply) {
        send(reply, node.metrics());
    }

    private void send(Reply reply, RaftMetrics metrics) {
        final ExclusivePublication publication;
        try {
            publication = publications.computeIfAbsent(reply.replyTo(),
                to -> aeron.addExclusivePublication(ClientProtocol.channel(to), ClientProtocol.STREAM_ID));
        } catch (RuntimeException e) {
            count(Counter.REPLIES_DROPPED);
            if (!logged[Counter.REPLIES_DROPPED.ordinal()]) {
                logged[Counter.REPLIES_DROPPED.ordinal()] = true;
                LOG.warn("node {}: cannot answer a client at {}: {}; further ones are only counted", node.id(),
                    reply.replyTo(), e.getMessage());
            }
            return;
        }
        final byte[] result = reply.result();
        if (result != null) {
            resultBuffer.wrap(result);
        }
        int length = ClientProtocol.encodeResponse(sendBuffer, reply.correlationId(), reply.code(), metrics,
            reply.sessionStatus(), result == null ? null : resultBuffer, result == null ? 0 : result.length, reply.message(),
            leaderEndpoint(metrics));
        if (settings.authenticator() != null) {
            sendBuffer.checkLimit(length + ClientProtocol.MAC_LENGTH);
            settings.authenticator().sign(sendBuffer, 0, length);
            length += ClientProtocol.MAC_LENGTH;
        }
        final long position = publication.offer(sendBuffer, 0, length);
        if (position > 0) {
            return;
        }
        if ((position == Publication.NOT_CONNECTED || position == Publication.BACK_PRESSURED
            || position == Publication.ADMIN_ACTION) && System.nanoTime() < reply.deadlineNanos()) {
            unsent.add(reply);
        } else {
            count(Counter.REPLIES_DROPPED);
            if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED) {
                publications.remove(reply.replyTo());
                publication.close();
            }
        }
    }

    /** The client endpoint of the leader: from its Raft endpoint in the membership, else in the node's configuration. */
    private String leaderEndpoint(RaftMetrics metrics) {
        final int leaderId = metrics.leaderId();
        if (leaderId == NodeId.NONE) {
            return "";
        }
        final String known = metrics.membership().endpoint(leaderId);
        final String raft = known != null ? known : node.options().endpoints().get(leaderId);
        return raft == null ? "" : ClientProtocol.clientEndpoint(raft);
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
    public void onClose() {
        publications.values().forEach(CloseHelper::quietClose);
        publications.clear();
        CloseHelper.quietClose(subscription);
    }

    /** Stops serving and disconnects from the media driver; the node stays up. Idempotent. */
    @Override
    public synchronized void close() {
        if (runner != null) {
            runner.close();
        } else {
            onClose();
        }
        CloseHelper.quietClose(aeron);
    }
}
