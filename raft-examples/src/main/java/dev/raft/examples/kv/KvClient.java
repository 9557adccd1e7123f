package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.core.session.SessionStatus;
import dev.raft.examples.internal.codec.RequestKind;
import io.aeron.Aeron;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * A client of a raftkv cluster over Aeron UDP, and the library's retry-on-NotLeader helper: it sends each command
 * to the leader, follows NOT_LEADER answers to the leader they name at once (even one missing from the configured
 * node list: the answer carries its endpoint), and, while an answer is late, probes every node in parallel with
 * status requests, so it notices a dead or deposed leader from the other nodes' answers rather than from Aeron's
 * connection state (a killed server looks connected for about 5 s).
 *
 * <p>Exactly-once writes: the client has a random 64-bit session id, and numbers its write calls (put, delete, CAS,
 * incr) from 1. Every send of a call carries the id, the call's sequence and the lowest sequence still in flight (the
 * server may forget the answers below it). A write whose answer is lost (leader killed or deposed, answer late) is
 * re-sent with the SAME id and sequence, to whichever node leads, until its deadline: the servers' session table
 * ({@link dev.raft.core.session.SessionStateMachine}) applies it at most once and answers a re-send that arrives
 * after the first application with that application's result. Reads ({@link #get}) have no session and are
 * re-sent freely.
 *
 * <p>Every call ends in exactly one {@link KvOutcome}: {@link KvOutcome.Ok OK} with the result of the command's
 * one application (possibly reported to a re-send), {@link KvOutcome.Failed FAILED} when it was definitely not
 * applied (never sent, refused with NOT_LEADER or REJECTED before any send could have been proposed), or
 * {@link KvOutcome.Unknown UNKNOWN} when the deadline passed (or the session table refused a re-send) while an
 * earlier send may have been applied.
 *
 * <p>Thread-safe: one instance serves any number of threads (answers are polled by whichever waiting caller holds
 * the poll lock; no thread of its own). It is cheap to create over an existing {@link Aeron} instance
 * ({@link Builder#aeron}) or an external media driver ({@link Builder#aeronDirectory}); otherwise it starts a
 * small embedded driver of its own. {@link #leader()} says who leads, from the answers already received.
 *
 * <pre>{@code
 * try (KvClient client = KvClient.builder(Map.of(1, "10.0.0.1:9000", 2, "10.0.0.2:9000", 3, "10.0.0.3:9000")).build()) {
 *     KvOutcome outcome = client.put("greeting", "hello".getBytes(UTF_8), Duration.ofSeconds(5));
 *     if (outcome instanceof KvOutcome.Ok ok) { ... } else if (outcome instanceof KvOutcome.Unknown u) { ... }
 * }
 * }</pre>
 */
public final class KvClient implements AutoCloseable {
    private static final byte[] NO_COMMAND = new byte[0];
    private static final long PROBE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Map<Integer, String> cluster;
    private final ClientDriver driver;
    private final ClientChannels channels;
    private final ClusterView view;
    private final long probeIntervalNanos;
    private final long connectNanos;
    private final Map<Integer, Long> lastProbeNanos = new ConcurrentHashMap<>();
    private final long clientId = newClientId();
    private final SessionSequences sequences = new SessionSequences();
    /** When {@link #probe} last looked at the nodes: it looks at most every {@link #PROBE_CHECK_NANOS}. */
    private final AtomicLong lastProbeCheckNanos = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(1));

    /**
     * A node's answer.
     *
     * @param code           OK, NOT_LEADER, REJECTED or ERROR
     * @param nodeId         the answering node
     * @param role           its role
     * @param term           its term
     * @param leaderId       the leader it knows of, or {@link NodeId#NONE}
     * @param lastLogIndex   its last log index
     * @param committedIndex its commit index
     * @param appliedIndex   its applied index
     * @param result         the command's result (OK answers to commands), else null
     * @param message        what went wrong (ERROR, REJECTED, NOT_LEADER), else empty
     * @param leaderEndpoint the client endpoint of {@code leaderId}, empty if unknown
     * @param correlationId  the request it answers
     * @param session        what the server's session table did with a command (REPLAYED: applied before, this is
     *                       its answer; a refusal comes with {@link Code#REJECTED}), or null without a session
     */
    public record Response(Code code, int nodeId, Role role, long term, int leaderId, long lastLogIndex,
                           long committedIndex, long appliedIndex, KvResult result, String message, String leaderEndpoint,
                           long correlationId, SessionStatus session) {
        /** How a node answered. */
        public enum Code {
            /** It executed the command (or reported its status). */
            OK,
            /** It is not the leader and did not propose the command; {@link #leaderId()} is the leader it knows of. */
            NOT_LEADER,
            /** It refused the command before proposing it (too large, overloaded, stopping): not applied. */
            REJECTED,
            /** The command was proposed and then failed (leadership lost, node stopped): it may have been applied. */
            ERROR
        }
    }

    /**
     * A leader, as the answers received so far name it.
     *
     * @param nodeId   its id
     * @param endpoint its client endpoint {@code host:port}
     * @param term     the term it leads
     */
    public record Leader(int nodeId, String endpoint, long term) {
    }

    /** Settings of a {@link KvClient}; {@link #build()} connects. */
    public static final class Builder {
        private final Map<Integer, String> cluster;
        private String replyHost;
        private String aeronDirectory;
        private boolean shareRunningDriver;
        private Aeron aeron;
        private ClientAuthenticator authenticator;
        private Duration probeInterval = Duration.ofMillis(50);
        private Duration suspectAfter = Duration.ofMillis(500);
        private Duration connectTimeout = Duration.ofMillis(300);

        private Builder(Map<Integer, String> cluster) {
            this.cluster = new TreeMap<>(Objects.requireNonNull(cluster, "cluster"));
            if (this.cluster.isEmpty()) {
                throw new IllegalArgumentException("the cluster has no node");
            }
        }

        /** The address servers answer to (an IP address of this host); default: the one that routes to the first node. */
        public Builder replyHost(String host) {
            this.replyHost = host;
            return this;
        }

        /** Use the external media driver in this directory instead of starting an embedded one. */
        public Builder aeronDirectory(String directory) {
            this.aeronDirectory = directory;
            return this;
        }

        /**
         * Without an Aeron instance or directory: use the media driver of a raft server running on this machine
         * ({@link dev.raft.transport.aeron.AeronDirectories#findRunning}) if there is one, and start an embedded
         * driver only if there is none or it cannot be used (default false: always an embedded driver). Starting a
         * driver is most of a short-lived client's cost; a shared driver stops with its server, failing this
         * client's calls with it.
         */
        public Builder shareRunningDriver(boolean share) {
            this.shareRunningDriver = share;
            return this;
        }

        /** Use this Aeron instance (the client does not close it) instead of starting a driver. */
        public Builder aeron(Aeron instance) {
            this.aeron = instance;
            return this;
        }

        /** Tag every request with the servers' client key and accept only tagged answers; default: no key. */
        public Builder authenticator(ClientAuthenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** How often each node is probed while an answer is late or no leader is known (default 50 ms). */
        public Builder probeInterval(Duration interval) {
            this.probeInterval = requirePositive(interval, "probeInterval");
            return this;
        }

        /**
         * How long a probe may stay unanswered before its node is taken as gone: no new command goes to it, and a
         * command waiting on it ends (default 500 ms).
         */
        public Builder suspectAfter(Duration duration) {
            this.suspectAfter = requirePositive(duration, "suspectAfter");
            return this;
        }

        /** How long to wait for the channel to a node to connect before taking it as down (default 300 ms). */
        public Builder connectTimeout(Duration duration) {
            this.connectTimeout = requirePositive(duration, "connectTimeout");
            return this;
        }

        private static Duration requirePositive(Duration d, String name) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        /**
         * Connects (starting an embedded media driver unless an Aeron instance or directory was given, or a running
         * driver is shared: {@link #shareRunningDriver}).
         */
        public KvClient build() {
            return new KvClient(this);
        }
    }

    /** Settings for a client of the nodes whose Raft endpoints ({@code host:port}; clients are served on port + 1) are given by id. */
    public static Builder builder(Map<Integer, String> cluster) {
        return new Builder(cluster);
    }

    /** A client with an embedded media driver; see {@link Builder#replyHost}. */
    public KvClient(Map<Integer, String> cluster, String replyHost) {
        this(builder(cluster).replyHost(replyHost));
    }

    private KvClient(Builder b) {
        this.cluster = b.cluster;
        this.probeIntervalNanos = b.probeInterval.toNanos();
        this.connectNanos = b.connectTimeout.toNanos();
        final Map<Integer, String> clientEndpoints = new LinkedHashMap<>();
        cluster.forEach((id, raft) -> clientEndpoints.put(id, ClientProtocol.clientEndpoint(raft)));
        this.view = new ClusterView(clientEndpoints, b.suspectAfter.toNanos(), 2 * probeIntervalNanos);
        final String host = b.replyHost != null ? b.replyHost
            : ClientDriver.localAddressTowards(cluster.values().iterator().next());
        final ClientDriver opened = ClientDriver.open(b.aeron, b.aeronDirectory, b.shareRunningDriver);
        ClientChannels built = null;
        try {
            built = new ClientChannels(opened.aeron(), opened.ownsAeron(), host, b.authenticator, view, System::nanoTime,
                newIdle());
            for (String endpoint : clientEndpoints.values()) {
                built.publication(endpoint); // connect to every node in the background
            }
        } catch (RuntimeException e) {
            CloseHelper.quietClose(built);
            opened.abandon();
            throw e;
        }
        driver = opened;
        channels = built;
    }

    /** A random, non-zero session id. */
    private static long newClientId() {
        final SecureRandom random = new SecureRandom();
        long id;
        do {
            id = random.nextLong();
        } while (id == 0);
        return id;
    }

    private static IdleStrategy newIdle() {
        return new BackoffIdleStrategy(20, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
    }

    /** The directory of the media driver this client uses (its own, a given one, or a shared running one). */
    public String aeronDirectory() {
        return driver.directory();
    }

    /** The endpoint servers answer to. */
    public String replyTo() {
        return channels.replyTo();
    }

    /** PUT {@code key = value}: a write, applied exactly once if OK, at most once otherwise. OK carries the previous value. */
    public KvOutcome put(String key, byte[] value, Duration timeout) {
        return execute(KvCommands.put(key, value), timeout);
    }

    /** GET {@code key} with ReadIndex ({@link Consistency#LINEARIZABLE}) on the leader; see {@link #get(String, Consistency, Duration)}. */
    public KvOutcome get(String key, Duration timeout) {
        return get(key, Consistency.LINEARIZABLE, timeout);
    }

    /**
     * GET {@code key} on the leader with {@code consistency} (through the log for {@link Consistency#LOG}); re-sent
     * as needed (a read changes nothing), so never UNKNOWN.
     */
    public KvOutcome get(String key, Consistency consistency, Duration timeout) {
        return call(KvCommands.get(key), consistency.requestKind(), 0, true, NodeId.NONE, timeout);
    }

    /**
     * GET {@code key} served by node {@code nodeId} itself, with {@code consistency}: on a follower, a
     * {@link Consistency#LINEARIZABLE} or {@link Consistency#LEASE} read asks the leader for a read index and is served
     * locally (a follower read); {@link Consistency#LOG} goes to the leader. Re-sent until {@code timeout}.
     */
    public KvOutcome getFrom(int nodeId, String key, Consistency consistency, Duration timeout) {
        if (consistency == Consistency.LOG) {
            return get(key, consistency, timeout);
        }
        return call(KvCommands.get(key), consistency.requestKind(), 0, true, nodeId, timeout);
    }

    /** DELETE {@code key}: a write. OK carries the previous value, or NOT_FOUND. */
    public KvOutcome delete(String key, Duration timeout) {
        return execute(KvCommands.delete(key), timeout);
    }

    /** Compare-and-set (see {@link KvCommands#compareAndSet}): a write. OK carries OK or CAS_FAILED and the current value. */
    public KvOutcome compareAndSet(String key, byte[] expected, byte[] value, Duration timeout) {
        return execute(KvCommands.compareAndSet(key, expected, value), timeout);
    }

    /**
     * INCR (see {@link KvCommands#increment}): adds {@code delta} to the counter at {@code key}, exactly once if OK.
     * OK carries the new value as decimal text, or NOT_A_COUNTER.
     */
    public KvOutcome increment(String key, long delta, Duration timeout) {
        return execute(KvCommands.increment(key, delta), timeout);
    }

    /**
     * Executes an encoded command that may change the state (see {@link KvCommands}) on the leader, in this client's
     * session: follows NOT_LEADER answers, and re-sends it with the same sequence whenever its answer is lost, so it
     * is applied at most once whatever happens and exactly once if the outcome is OK.
     *
     * @param timeout how long to look for a leader and wait for its answer, re-sends included
     */
    public KvOutcome execute(byte[] command, Duration timeout) {
        final long sequence = sequences.begin();
        try {
            return call(command, RequestKind.COMMAND, sequence, false, NodeId.NONE, timeout);
        } finally {
            sequences.end(sequence);
        }
    }

    /**
     * Executes an encoded command that changes nothing (a GET), without a session: re-sent to the next leader when an
     * answer is lost, so it ends OK or FAILED(UNAVAILABLE), never UNKNOWN.
     */
    public KvOutcome read(byte[] command, Duration timeout) {
        return call(command, RequestKind.COMMAND, 0, true, NodeId.NONE, timeout);
    }

    /**
     * Executes an {@code raftkv admin} request (see {@link AdminRequests}) on the leader, without a session: at most
     * once (never re-sent once it may have been proposed), or, when it changes nothing ({@code readOnly}: MEMBERS),
     * re-sent freely like {@link #read}. OK carries the {@link AdminRequests.Result} as its value.
     */
    public KvOutcome admin(byte[] request, boolean readOnly, Duration timeout) {
        return call(request, RequestKind.ADMIN, 0, readOnly, NodeId.NONE, timeout);
    }

    /** This client's session id (random, never 0). */
    public long clientId() {
        return clientId;
    }

    /**
     * One call of {@code kind} to the leader, or to {@code fixedNode} (re-sent to it) unless NONE: {@code sequence} 0
     * for a call without a session, re-sent freely if {@code resendable} (it changes nothing) and else sent at most
     * once past the point where it may have been proposed; a non-zero {@code sequence} is a write in this client's
     * session, re-sent with the same sequence.
     */
    private KvOutcome call(byte[] command, RequestKind kind, long sequence, boolean resendable, int fixedNode,
                           Duration timeout) {
        if (command.length > ClientProtocol.MAX_COMMAND_BYTES) {
            return new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, "the command is " + command.length
                + " bytes long; the limit is " + ClientProtocol.MAX_COMMAND_BYTES + " bytes");
        }
        final boolean write = sequence != 0;
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        final IdleStrategy idle = newIdle();
        final List<String> refusals = new ArrayList<>();
        int redirectedFrom = NodeId.NONE;
        /* why an earlier send may have been applied (null: none can have been); a re-send keeps it */
        String mayBeApplied = null;
        int sends = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return mayBeApplied != null
                    ? new KvOutcome.Unknown(mayBeApplied + "; no answer to its " + sends + " send(s) within " + timeout.toMillis()
                        + " ms (" + summary() + ")")
                    : new KvOutcome.Failed(KvOutcome.Failed.Reason.UNAVAILABLE, "no leader accepted the command within "
                        + timeout.toMillis() + " ms" + refusalText(refusals) + " (" + summary() + ")");
            }
            final ClusterView.Target target = fixedNode == NodeId.NONE ? view.leader(now) : view.node(fixedNode);
            if (target == null || target.id() == redirectedFrom) {
                redirectedFrom = NodeId.NONE;
                awaitNews(deadline, idle);
                continue;
            }
            if (!awaitConnected(target, deadline, idle)) {
                continue;
            }
            final ClientChannels.Call call = channels.newCall();
            try {
                final ClientChannels.Sent sent = write
                    ? channels.send(target.endpoint(), call.correlationId, kind, command, clientId, sequence,
                        sequences.ackedBelow(sequence))
                    : channels.send(target.endpoint(), call.correlationId, kind, command);
                if (sent != ClientChannels.Sent.SENT) {
                    idle.idle(channels.poll()); // back-pressured: nothing left this client
                    continue;
                }
                sends++;
                final long sentAt = System.nanoTime();
                idle.reset();
                while (true) {
                    final Response r = call.response;
                    if (r != null) {
                        if (r.code() == Response.Code.OK) {
                            return r.result() != null
                                ? new KvOutcome.Ok(r.result(), r.nodeId(), r.session() == SessionStatus.REPLAYED)
                                : new KvOutcome.Unknown("node " + r.nodeId() + " answered without a result"
                                    + (r.session() == SessionStatus.REPLAYED_WITHOUT_RESPONSE
                                    ? " (the command was applied once; its answer was too long to keep)" : ""));
                        }
                        if (r.code() == Response.Code.REJECTED) {
                            // this send was not applied; an earlier one may have been
                            return mayBeApplied == null ? new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, r.message())
                                : new KvOutcome.Unknown(r.message() + "; an earlier send may have been applied: "
                                    + mayBeApplied);
                        }
                        if (r.code() == Response.Code.ERROR) {
                            if (write) {
                                mayBeApplied = r.message();
                            } else if (resendable) {
                                note(refusals, r.message());
                            } else {
                                return new KvOutcome.Unknown(r.message());
                            }
                        } else {
                            note(refusals, "node " + r.nodeId() + ": not the leader");
                        }
                        redirectedFrom = fixedNode == NodeId.NONE
                            && (r.leaderId() == NodeId.NONE || r.leaderId() == r.nodeId()) ? r.nodeId() : NodeId.NONE;
                        if (fixedNode != NodeId.NONE) {
                            awaitNews(deadline, idle); // the node asked could not serve it yet: retry shortly
                        }
                        break;
                    }
                    now = System.nanoTime();
                    if (now - deadline >= 0) {
                        if (resendable) {
                            return new KvOutcome.Failed(KvOutcome.Failed.Reason.UNAVAILABLE, "no answer within "
                                + timeout.toMillis() + " ms (" + summary() + ")");
                        }
                        return new KvOutcome.Unknown("node " + target.id() + " did not answer within " + timeout.toMillis()
                            + " ms after the command was sent (" + sends + " send(s)); it may have been applied ("
                            + summary() + ")");
                    }
                    if (now - sentAt > probeIntervalNanos) {
                        probe(now);
                        if (view.gone(target, now)) {
                            if (write) {
                                mayBeApplied = "node " + target.id() + " stopped answering or lost its leadership after the"
                                    + " command was sent";
                            } else if (!resendable) {
                                return new KvOutcome.Unknown("node " + target.id() + " stopped answering or lost its"
                                    + " leadership after the command was sent; it may have been applied (" + summary() + ")");
                            }
                            break; // re-send (a write with the same sequence) to whoever leads now
                        }
                    }
                    idle.idle(channels.poll());
                }
            } finally {
                channels.forget(call);
            }
        }
    }

    /** The view's summary, with nodes whose channel never connected marked unreachable. */
    private String summary() {
        for (Map.Entry<Integer, String> node : view.endpoints()) {
            if (!channels.isConnected(node.getValue())) {
                view.onUnreachable(node.getKey());
            }
        }
        return view.summary();
    }

    private static void note(List<String> refusals, String refusal) {
        if (!refusals.contains(refusal)) {
            refusals.add(refusal);
        }
    }

    private static String refusalText(List<String> refusals) {
        return refusals.isEmpty() ? "" : ": " + String.join("; ", refusals);
    }

    /** Probes every node and waits until an answer arrives or a probe interval passes. */
    private void awaitNews(long deadline, IdleStrategy idle) {
        final long version = view.version();
        final long until = Math.min(deadline, System.nanoTime() + probeIntervalNanos);
        idle.reset();
        while (true) {
            final long now = System.nanoTime();
            probe(now);
            if (view.version() != version || now - until >= 0) {
                return;
            }
            idle.idle(channels.poll());
        }
    }

    /** Waits for the channel to {@code target} to connect; false (and the node marked unreachable) if it does not. */
    private boolean awaitConnected(ClusterView.Target target, long deadline, IdleStrategy idle) {
        final long until = Math.min(deadline, System.nanoTime() + connectNanos);
        idle.reset();
        while (!channels.isConnected(target.endpoint())) {
            final long now = System.nanoTime();
            if (now - until >= 0) {
                if (now - deadline < 0) {
                    view.onUnreachable(target.id());
                }
                return false;
            }
            probe(now);
            idle.idle(channels.poll());
        }
        return true;
    }

    /** Sends a status probe to every node not probed within the probe interval (nodes not connected yet: next time). */
    private void probe(long now) {
        final long checked = lastProbeCheckNanos.get();
        if (now - checked < PROBE_CHECK_NANOS || !lastProbeCheckNanos.compareAndSet(checked, now)) {
            return; // another thread probes, or did so just now
        }
        for (Map.Entry<Integer, String> node : view.endpoints()) {
            final Long last = lastProbeNanos.get(node.getKey());
            if (last != null && now - last < probeIntervalNanos) {
                continue;
            }
            if (channels.send(node.getValue(), channels.newProbeId(), RequestKind.STATUS, NO_COMMAND)
                == ClientChannels.Sent.SENT) {
                lastProbeNanos.put(node.getKey(), now);
                view.onProbeSent(node.getKey(), now);
            }
        }
    }

    /**
     * Asks one node for its status.
     *
     * @return its answer, or empty if it did not answer within {@code timeout}
     */
    public Optional<Response> status(int nodeId, Duration timeout) {
        return Optional.ofNullable(statusOf(List.of(nodeId), timeout).get(nodeId));
    }

    /**
     * Asks every configured node for its status, in parallel.
     *
     * @return each node's answer by id (ascending), empty for those that did not answer within {@code timeout}
     */
    public Map<Integer, Optional<Response>> statusOfAll(Duration timeout) {
        final Map<Integer, Response> answers = statusOf(nodeIds(), timeout);
        final Map<Integer, Optional<Response>> all = new TreeMap<>();
        for (int id : nodeIds()) {
            all.put(id, Optional.ofNullable(answers.get(id)));
        }
        return all;
    }

    private Map<Integer, Response> statusOf(List<Integer> ids, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final Map<Integer, ClientChannels.Call> calls = new LinkedHashMap<>();
        final Map<Integer, Response> answers = new TreeMap<>();
        final IdleStrategy idle = newIdle();
        try {
            for (int id : ids) {
                calls.put(id, channels.newCall());
            }
            final Map<Integer, Boolean> sent = new TreeMap<>();
            while (answers.size() < ids.size() && System.nanoTime() - deadline < 0) {
                for (int id : ids) {
                    if (!sent.containsKey(id) && channels.send(clientEndpoint(id), calls.get(id).correlationId,
                        RequestKind.STATUS, NO_COMMAND) == ClientChannels.Sent.SENT) {
                        sent.put(id, Boolean.TRUE);
                    }
                    final Response r = calls.get(id).response;
                    if (r != null) {
                        answers.put(id, r);
                    }
                }
                idle.idle(channels.poll());
            }
        } finally {
            calls.values().forEach(channels::forget);
        }
        return answers;
    }

    /**
     * The leader named in the highest term among the answers received so far (no request is sent); empty if none is
     * known yet. Call {@link #findLeader} to ask the nodes.
     */
    public Optional<Leader> leader() {
        final ClusterView.Target t = view.claimedLeader();
        return t == null ? Optional.empty() : Optional.of(new Leader(t.id(), t.endpoint(), t.term()));
    }

    /** Probes the nodes in parallel until one leader is known and answering, or {@code timeout} passes. */
    public Optional<Leader> findLeader(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final IdleStrategy idle = newIdle();
        while (System.nanoTime() - deadline < 0) {
            final ClusterView.Target t = view.leader(System.nanoTime());
            if (t != null) {
                return Optional.of(new Leader(t.id(), t.endpoint(), t.term()));
            }
            awaitNews(deadline, idle);
        }
        return Optional.empty();
    }

    /** The configured node ids, ascending. */
    public List<Integer> nodeIds() {
        return List.copyOf(cluster.keySet());
    }

    /** The configured Raft endpoint of {@code nodeId}. */
    public String endpoint(int nodeId) {
        return cluster.get(nodeId);
    }

    private String clientEndpoint(int nodeId) {
        return ClientProtocol.clientEndpoint(cluster.get(nodeId));
    }

    /** Answers dropped so far: late ones to abandoned requests are not counted; forged, malformed or untagged ones are. */
    public long droppedAnswers() {
        return channels.dropped();
    }

    /** Closes the publications and the subscription, then the Aeron client and the driver if this client started them. */
    @Override
    public void close() {
        CloseHelper.quietClose(channels);
        CloseHelper.quietClose(driver);
    }
}
