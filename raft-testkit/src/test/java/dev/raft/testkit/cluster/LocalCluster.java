package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.RaftModule;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.network.LocalTransportModule;
import dev.raft.testkit.statemachine.KvProposals;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NotLeaderException;
import org.agrona.concurrent.SystemNanoClock;

/**
 * N real nodes (each on its own runtime thread) wired by Guice with in-memory storage (flushed by a
 * background thread, like a disk), the in-memory transport and a {@link KvStateMachine}. Nodes can be
 * killed (crash: unflushed appends lost) and restarted on the same disk.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The network joining the nodes (faults are injected here). */
    public final LocalNetwork network;
    final int[] ids;
    /** Each node's disk: survives crashes and restarts. */
    public final Map<Integer, InMemoryDisk> disks = new TreeMap<>();
    final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    /** Each live node's state machine. */
    public final Map<Integer, KvStateMachine> stateMachines = new ConcurrentHashMap<>();
    /** Makes each (re)started node's state machine (a plain {@link KvStateMachine} by default). */
    public java.util.function.IntFunction<KvStateMachine> stateMachineFactory = id -> new KvStateMachine();
    /** Every (term -> leader) ever observed, for the election-safety check. */
    final Map<Long, Integer> leaderOfTerm = new ConcurrentHashMap<>();
    final List<String> electionSafetyViolations = new ArrayList<>();

    /** Adjusts every node's configuration (identity by default). */
    public java.util.function.UnaryOperator<RaftConfig.Builder> tweak = b -> b;

    /** A cluster of nodes {@code 1..size}, none started, on a network seeded with {@code seed}. */
    public LocalCluster(int size, long seed) {
        network = new LocalNetwork(SystemNanoClock.INSTANCE, seed);
        ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
            disks.put(i + 1, new InMemoryDisk());
        }
    }

    RaftConfig config(int id) {
        // generous timeouts: two shared cores run every node, flusher and test thread
        return tweak.apply(RaftConfig.builder().nodeId(id).initialMembership(Membership.of(ids))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000)).build();
    }

    /** Starts every node. */
    public LocalCluster startAll() {
        for (int id : ids) {
            start(id);
        }
        return this;
    }

    /** Starts (or restarts) node {@code id} on its disk. */
    public void start(int id) {
        final KvStateMachine sm = stateMachineFactory.apply(id);
        final RaftNode node = Guice.createInjector(
            new RaftModule(config(id)),
            new InMemoryStorageModule(disks.get(id), FlushMode.BACKGROUND),
            new LocalTransportModule(network, id),
            binder -> binder.bind(StateMachine.class).toInstance(sm)).getInstance(RaftNode.class);
        stateMachines.put(id, sm);
        nodes.put(id, node);
        node.start();
    }

    /**
     * Starts node {@code id}, not one of the cluster's initial ids, on a fresh disk: it knows the initial
     * voters and waits to be added (as a learner) by the leader.
     */
    public void startJoining(int id) {
        disks.putIfAbsent(id, new InMemoryDisk());
        start(id);
    }

    /** Crashes node {@code id}: its unflushed appends are lost, its thread stops. */
    public void crash(int id) {
        final RaftNode node = nodes.remove(id);
        disks.get(id).crash();
        node.close();
        stateMachines.remove(id);
    }

    /** Node {@code id} if live, else null. */
    public RaftNode node(int id) {
        return nodes.get(id);
    }

    /** Samples every live node's metrics and records the leader of each term (checks election safety). */
    void observe() {
        for (RaftNode n : nodes.values()) {
            final RaftMetrics m = n.metrics();
            if (m.role() == Role.LEADER) {
                final Integer previous = leaderOfTerm.putIfAbsent(m.term(), m.nodeId());
                if (previous != null && previous != m.nodeId()) {
                    synchronized (electionSafetyViolations) {
                        electionSafetyViolations.add("term " + m.term() + " led by " + previous + " and " + m.nodeId());
                    }
                }
            }
        }
    }

    /** Waits for a live leader whose term no live node exceeds, among {@code candidates} (all live nodes if empty). */
    public int awaitLeader(Duration timeout, int... candidates) throws InterruptedException, TimeoutException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            observe();
            long maxTerm = 0;
            for (RaftNode n : nodes.values()) {
                maxTerm = Math.max(maxTerm, n.metrics().term());
            }
            for (RaftNode n : nodes.values()) {
                final RaftMetrics m = n.metrics();
                if (m.role() == Role.LEADER && m.term() == maxTerm && allowed(m.nodeId(), candidates)) {
                    return m.nodeId();
                }
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("no leader within " + timeout + ": " + describe());
    }

    private static boolean allowed(int id, int[] candidates) {
        if (candidates.length == 0) {
            return true;
        }
        for (int c : candidates) {
            if (c == id) {
                return true;
            }
        }
        return false;
    }

    /** Waits until every live node in {@code which} (all if empty) has applied at least {@code index}. */
    public void awaitApplied(long index, Duration timeout, int... which) throws InterruptedException, TimeoutException {
        for (int id : which.length == 0 ? nodes.keySet().stream().mapToInt(Integer::intValue).toArray() : which) {
            nodes.get(id).awaitMetrics(m -> m.appliedIndex() >= index, timeout);
        }
    }

    /** The value the i-th PUT of {@link #proposeAll} writes. */
    public static byte[] value(long i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }

    /**
     * Proposes {@code count} PUTs (keys {@code prefix + i}) through whichever node leads, at most 512 in
     * flight, retrying a proposal refused by a non-leader or lost with its leadership.
     *
     * @return the log index of the last committed proposal's entry, as seen by the leader's metrics
     */
    public long proposeAll(String prefix, int count) throws Exception {
        final Semaphore window = new Semaphore(512);
        final List<CompletableFuture<byte[]>> done = new ArrayList<>();
        int leader = awaitLeader(WAIT);
        for (int i = 0; i < count; i++) {
            final byte[] command = KvStateMachine.put(prefix + i, value(i));
            while (true) {
                window.acquire();
                final RaftNode node = node(leader);
                final CompletableFuture<byte[]> f = node == null ? CompletableFuture.failedFuture(
                    new NotLeaderException(leader, 0, 0)) : node.propose(command);
                f.whenComplete((r, e) -> window.release());
                if (!f.isDone() || !f.isCompletedExceptionally()) {
                    done.add(f);
                    break;
                }
                leader = awaitLeader(WAIT);
            }
        }
        // retry whatever failed because leadership moved (PUT is idempotent here)
        try {
            return KvProposals.awaitRetryingLost(done, i -> KvStateMachine.put(prefix + i, value(i)),
                () -> node(awaitLeader(WAIT)), WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + describe(), e);
        }
    }

    /**
     * Waits until every live node has applied at least {@code index} and all state machines show the same
     * fingerprint (applied index and digest of the applied sequence), then checks election safety.
     */
    public void assertConverged(long index) throws Exception {
        awaitApplied(index, WAIT);
        final long deadline = System.nanoTime() + WAIT.toNanos();
        java.util.Set<String> fingerprints = java.util.Set.of();
        while (System.nanoTime() < deadline) {
            fingerprints = new java.util.TreeSet<>();
            for (KvStateMachine sm : stateMachines.values()) {
                fingerprints.add(sm.fingerprint());
            }
            if (fingerprints.size() == 1) {
                break;
            }
            Thread.sleep(5);
        }
        assertEquals(1, fingerprints.size(), "state machines differ: " + fingerprints + describe());
        assertEquals(nodes.size(), stateMachines.size());
        assertTrue(electionSafetyViolations.isEmpty(), electionSafetyViolations.toString());
    }

    /** Every live node's metrics, one a line. */
    public String describe() {
        final StringBuilder sb = new StringBuilder();
        for (RaftNode n : nodes.values()) {
            sb.append("\n  ").append(n.metrics());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (RaftNode n : nodes.values()) {
            n.close();
        }
        nodes.clear();
    }
}
