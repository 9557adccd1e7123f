package dev.raft.examples.kv;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.core.session.SessionStatus;
import dev.raft.examples.internal.codec.RequestKind;
import io.aeron.Aeron;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.agrona.CloseHelper;

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
    private final Map<Integer, String> cluster;
    private final ClientDriver driver;
    private final ClientChannels channels;
    /** Status probes and requests, and the leader they name. */
    private final ClusterProbes probes;
    /** The commands' calls, with their re-sends and session. */
    private final ClientCalls calls;

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
        final long probeIntervalNanos = b.probeInterval.toNanos();
        final Map<Integer, String> clientEndpoints = new LinkedHashMap<>();
        cluster.forEach((id, raft) -> clientEndpoints.put(id, ClientProtocol.clientEndpoint(raft)));
        final ClusterView view = new ClusterView(clientEndpoints, b.suspectAfter.toNanos(), 2 * probeIntervalNanos);
        final String host = b.replyHost != null ? b.replyHost
            : ClientDriver.localAddressTowards(cluster.values().iterator().next());
        final ClientDriver opened = ClientDriver.open(b.aeron, b.aeronDirectory, b.shareRunningDriver);
        ClientChannels built = null;
        try {
            built = new ClientChannels(opened.aeron(), opened.ownsAeron(), host, b.authenticator, view, System::nanoTime,
                ClientChannels.newIdle());
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
        probes = new ClusterProbes(cluster, channels, view, probeIntervalNanos);
        calls = new ClientCalls(channels, view, probes, probeIntervalNanos, b.connectTimeout.toNanos());
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
        return calls.call(KvCommands.get(key), consistency.requestKind(), 0, true, NodeId.NONE, timeout);
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
        return calls.call(KvCommands.get(key), consistency.requestKind(), 0, true, nodeId, timeout);
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
        return calls.write(command, timeout);
    }

    /**
     * Executes an encoded command that changes nothing (a GET), without a session: re-sent to the next leader when an
     * answer is lost, so it ends OK or FAILED(UNAVAILABLE), never UNKNOWN.
     */
    public KvOutcome read(byte[] command, Duration timeout) {
        return calls.call(command, RequestKind.COMMAND, 0, true, NodeId.NONE, timeout);
    }

    /**
     * Executes an {@code raftkv admin} request (see {@link AdminRequests}) on the leader, without a session: at most
     * once (never re-sent once it may have been proposed), or, when it changes nothing ({@code readOnly}: MEMBERS),
     * re-sent freely like {@link #read}. OK carries the {@link AdminRequests.Result} as its value.
     */
    public KvOutcome admin(byte[] request, boolean readOnly, Duration timeout) {
        return calls.call(request, RequestKind.ADMIN, 0, readOnly, NodeId.NONE, timeout);
    }

    /** This client's session id (random, never 0). */
    public long clientId() {
        return calls.clientId();
    }

    /**
     * Asks one node for its status.
     *
     * @return its answer, or empty if it did not answer within {@code timeout}
     */
    public Optional<Response> status(int nodeId, Duration timeout) {
        return Optional.ofNullable(probes.statusOf(List.of(nodeId), timeout).get(nodeId));
    }

    /**
     * Asks every configured node for its status, in parallel.
     *
     * @return each node's answer by id (ascending), empty for those that did not answer within {@code timeout}
     */
    public Map<Integer, Optional<Response>> statusOfAll(Duration timeout) {
        final Map<Integer, Response> answers = probes.statusOf(nodeIds(), timeout);
        final Map<Integer, Optional<Response>> all = new TreeMap<>();
        for (int id : nodeIds()) {
            all.put(id, Optional.ofNullable(answers.get(id)));
        }
        return all;
    }

    /**
     * The leader named in the highest term among the answers received so far (no request is sent); empty if none is
     * known yet. Call {@link #findLeader} to ask the nodes.
     */
    public Optional<Leader> leader() {
        return probes.leader();
    }

    /** Probes the nodes in parallel until one leader is known and answering, or {@code timeout} passes. */
    public Optional<Leader> findLeader(Duration timeout) {
        return probes.findLeader(timeout);
    }

    /** The configured node ids, ascending. */
    public List<Integer> nodeIds() {
        return List.copyOf(cluster.keySet());
    }

    /** The configured Raft endpoint of {@code nodeId}. */
    public String endpoint(int nodeId) {
        return cluster.get(nodeId);
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
