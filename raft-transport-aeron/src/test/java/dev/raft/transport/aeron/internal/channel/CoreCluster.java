package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftModule;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.statemachine.KvProposals;
import dev.raft.testkit.statemachine.KvStateMachine;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.AeronTransportModule;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;

/**
 * Real nodes for tests (core runtime, in-memory storage, {@link KvStateMachine}) wired by Guice with
 * {@link AeronTransportModule}, talking over Aeron UDP on 127.0.0.1, each with its own embedded driver (its
 * directory deleted when the node closes). Closes every node it started.
 */
final class CoreCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(30);

    final int[] ids;
    final Map<Integer, String> endpoints = new TreeMap<>();
    final Map<Integer, InMemoryDisk> disks = new TreeMap<>();
    final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    final Map<Integer, KvStateMachine> stateMachines = new ConcurrentHashMap<>();
    final Map<Integer, AeronTransport> transports = new ConcurrentHashMap<>();
    private final int clusterId;
    /** Applied to node {@code id}'s Raft configuration before it is built. */
    BiFunction<Integer, RaftConfig.Builder, RaftConfig.Builder> raftTweak = (id, b) -> b;
    /** Applied to node {@code id}'s transport configuration before it is built. */
    BiFunction<Integer, AeronTransportConfig.Builder, AeronTransportConfig.Builder> transportTweak = (id, b) -> b;
    /** The padding bytes of every state machine's snapshots. */
    long snapshotPadding;

    /** A cluster {@code clusterId} of nodes {@code ids} on free UDP ports of 127.0.0.1 (none started yet). */
    CoreCluster(int clusterId, int... ids) {
        this.clusterId = clusterId;
        this.ids = ids.clone();
        for (int id : ids) {
            endpoints.put(id, "127.0.0.1:" + LiveCluster.freeUdpPort());
            disks.put(id, new InMemoryDisk());
        }
    }

    void startAll() {
        for (int id : ids) {
            start(id);
        }
    }

    void start(int id) {
        final RaftConfig raft = raftTweak.apply(id, RaftConfig.builder().nodeId(id).initialMembership(Membership.of(ids))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000)).build();
        final AeronTransportConfig transport = transportTweak.apply(id,
            AeronTransportConfig.builder().clusterId(clusterId).nodeId(id).endpoints(endpoints)).build();
        final KvStateMachine sm = new KvStateMachine(snapshotPadding);
        final Injector injector = Guice.createInjector(new RaftModule(raft),
            new InMemoryStorageModule(disks.get(id), FlushMode.BACKGROUND),
            new AeronTransportModule(transport),
            binder -> binder.bind(StateMachine.class).toInstance(sm));
        final RaftNode node = injector.getInstance(RaftNode.class);
        stateMachines.put(id, sm);
        nodes.put(id, node);
        transports.put(id, (AeronTransport) injector.getInstance(Transport.class));
        node.start();
    }

    /** Closes the node (and with it its transport and driver) and loses what its disk had not flushed. */
    void stop(int id) {
        nodes.remove(id).close();
        stateMachines.remove(id);
        transports.remove(id);
        disks.get(id).crash();
    }

    @Override
    public void close() {
        for (RaftNode n : nodes.values()) {
            n.close();
        }
    }

    /** The leader of the highest term among the running nodes, once there is one. */
    int awaitLeader() throws InterruptedException {
        return awaitLeader(nodes.keySet().stream().mapToInt(Integer::intValue).toArray());
    }

    /** The leader of the highest term among nodes {@code among}, once there is one. */
    int awaitLeader(int... among) throws InterruptedException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            long maxTerm = 0;
            for (int id : among) {
                maxTerm = Math.max(maxTerm, nodes.get(id).metrics().term());
            }
            for (int id : among) {
                final RaftMetrics m = nodes.get(id).metrics();
                if (m.isLeader() && m.term() == maxTerm) {
                    return m.nodeId();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no leader within " + WAIT + ": " + describe());
    }

    /**
     * Election timeouts of 1.5 to 3 s (heartbeats every 100 ms) for tests that assert that nothing changes the
     * term: an attack that got through would change it at once (a higher term), while a loaded machine that
     * delays heartbeats by a few hundred milliseconds no longer does.
     */
    static RaftConfig.Builder patient(RaftConfig.Builder b) {
        return b.electionTimeoutMillis(1500, 3000).heartbeatIntervalMillis(100);
    }

    /** Waits until every running node knows {@code leader} as the leader of its term; returns that term. */
    long awaitAllFollow(int leader) throws Exception {
        final long term = nodes.get(leader).metrics().term();
        for (RaftNode n : nodes.values()) {
            n.awaitMetrics(m -> m.leaderId() == leader && m.term() == term, WAIT);
        }
        return term;
    }

    /** Proposes PUTs {@code prefix + i} through the leader, 1024 in flight, retrying those lost with a leader. */
    long proposeAll(String prefix, int count) throws Exception {
        final Semaphore window = new Semaphore(1024);
        final List<CompletableFuture<byte[]>> futures = new ArrayList<>(count);
        final int leader = awaitLeader();
        for (int i = 0; i < count; i++) {
            window.acquire();
            final CompletableFuture<byte[]> f = nodes.get(leader).propose(KvStateMachine.put(prefix + i, value(i)));
            f.whenComplete((r, e) -> window.release());
            futures.add(f);
        }
        try {
            return KvProposals.awaitRetryingLost(futures, i -> KvStateMachine.put(prefix + i, value(i)),
                () -> nodes.get(awaitLeader()), WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + describe(), e);
        }
    }

    /** Writes rounds of 200 PUTs in the background until {@code stop}; completes with the rounds, or fails if a write failed. */
    java.util.concurrent.CompletableFuture<Long> writeLoad(java.util.concurrent.atomic.AtomicBoolean stop) {
        return CompletableFuture.supplyAsync(() -> {
            long rounds = 0;
            try {
                while (!stop.get()) {
                    proposeAll("load-" + rounds + "-", 200);
                    rounds++;
                }
            } catch (Exception e) {
                throw new IllegalStateException("a write failed: " + e, e);
            }
            return rounds;
        });
    }

    /** Waits until every running node applied {@code index} and every state machine holds the same data. */
    void assertConverged(long index) throws Exception {
        for (RaftNode n : nodes.values()) {
            n.awaitMetrics(m -> m.appliedIndex() >= index, WAIT);
        }
        final long deadline = System.nanoTime() + WAIT.toNanos();
        TreeSet<String> fingerprints = new TreeSet<>();
        while (System.nanoTime() < deadline) {
            fingerprints = new TreeSet<>();
            for (KvStateMachine sm : stateMachines.values()) {
                fingerprints.add(sm.fingerprint());
            }
            if (fingerprints.size() == 1) {
                break;
            }
            Thread.sleep(5);
        }
        assertEquals(1, fingerprints.size(), "state machines differ: " + fingerprints + describe());
    }

    String describe() {
        final StringBuilder sb = new StringBuilder();
        for (RaftNode n : nodes.values()) {
            sb.append("\n  ").append(n.metrics());
        }
        return sb.toString();
    }

    static byte[] value(long i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }
}
