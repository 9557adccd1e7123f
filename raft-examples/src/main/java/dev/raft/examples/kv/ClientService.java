package dev.raft.examples.kv;

import dev.raft.api.service.NodeContext;
import dev.raft.api.service.NodeService;
import dev.raft.api.service.OutcomeListener;
import dev.raft.core.session.SessionCommand;
import io.aeron.Aeron;
import io.aeron.Subscription;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
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
 *
 * <p>This class is the service's life cycle (attach, duty cycle, detach) and public face; {@link ClientRequests}
 * checks and dispatches the requests and turns the node's outcomes into answers, {@link ReplySender} sends them,
 * and {@link ClientCounters} counts.
 */
public final class ClientService implements NodeService, OutcomeListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientService.class);

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
        /** An answer form that is neither FULL nor BRIEF. */
        MALFORMED_ANSWER_FORM(true),
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
    private final Aeron aeron;
    private final Subscription subscription;
    private final ReplyRoutes routes;
    private final ClientCounters counters;
    private final ReplySender replies;
    private final ClientRequests requests;
    /** Wraps a result given as an array (reads) for {@link ClientRequests#onResult}; node thread only. */
    private final UnsafeBuffer resultView = new UnsafeBuffer(new byte[0]);
    private boolean started;

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
        counters = new ClientCounters(node.id());
        replies = new ReplySender(node, settings.authenticator(), routes, counters);
        requests = new ClientRequests(node, settings, subscription, routes, replies, counters, this);
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
        replies.attach(nodeContext);
        requests.attach(nodeContext);
    }

    @Override
    public int doWork(long nowNanos) {
        int work;
        try {
            replies.now(nowNanos);
            work = requests.poll(nowNanos);
            work += replies.sendWaiting();
        } catch (RuntimeException e) {
            counters.count(Counter.ERRORS);
            LOG.warn("node {}: client service error: {}", node.id(), e.toString());
            work = 1;
        }
        return work;
    }

    @Override
    public void onResult(long correlation, byte[] result) {
        if (result == null) {
            requests.onResult(correlation, resultView, 0, -1);
        } else {
            resultView.wrap(result);
            requests.onResult(correlation, resultView, 0, result.length);
        }
    }

    /** A proposal's result, without an array per command: encoded straight into the answer. */
    @Override
    public void onResult(long correlation, DirectBuffer result, int offset, int length) {
        requests.onResult(correlation, result, offset, length);
    }

    @Override
    public void onError(long correlation, RuntimeException error) {
        requests.onError(correlation, error);
    }

    /** The current value of one counter. */
    public long counter(Counter counter) {
        return counters.get(counter);
    }

    /** Every counter's current value. */
    public Map<Counter, Long> counters() {
        return counters.snapshot();
    }

    /** Requests dropped and answers not delivered so far (every counter of a dropped request, and REPLIES_DROPPED). */
    public long dropped() {
        return counters.dropped();
    }

    /** The endpoint this service listens on. */
    public String endpoint() {
        return endpoint;
    }

    @Override
    public void onDetach() {
        replies.detach();
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
