package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftModule;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.AeronTransportModule;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.statemachine.KvProposals;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real nodes (core runtime, in-memory storage, {@link KvStateMachine}) wired by Guice with
 * {@link AeronTransportModule}, talking over Aeron UDP on 127.0.0.1, each with its own embedded driver
 * (its directory deleted when the node closes): they elect a leader, commit 100,000 entries, survive the
 * leader's death (the other two elect a new leader and keep committing) and the dead node, restarted on
 * its disk and endpoint, catches up. A follower that was down while the others compacted their logs
 * catches up by a multi-chunk InstallSnapshot across the wire, then by log.
 */
class AeronClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int[] IDS = {1, 2, 3};

    private final Map<Integer, String> endpoints = new TreeMap<>();
    private final Map<Integer, InMemoryDisk> disks = new TreeMap<>();
    private final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    private final Map<Integer, KvStateMachine> stateMachines = new ConcurrentHashMap<>();
    private final Map<Integer, AeronTransport> transports = new ConcurrentHashMap<>();
    /** The cluster id of every node's transport (each test its own, so their driver directories differ). */
    private int clusterId = 42;
    /** Applied to every node's Raft configuration before it is built. */
    private UnaryOperator<RaftConfig.Builder> tweak = b -> b;
    /** The padding bytes of every state machine's snapshots. */
    private long snapshotPadding;

    private void allocateEndpoints() {
        for (int id : IDS) {
            endpoints.put(id, "127.0.0.1:" + LiveCluster.freeUdpPort());
            disks.put(id, new InMemoryDisk());
        }
    }

    private void start(int id) {
        final RaftConfig raft = tweak.apply(RaftConfig.builder().nodeId(id).initialMembership(Membership.of(IDS))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000)).build();
        final AeronTransportConfig transport = AeronTransportConfig.builder().clusterId(clusterId).nodeId(id)
            .endpoints(endpoints).build();
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
    private void stop(int id) {
        nodes.remove(id).close();
        stateMachines.remove(id);
        transports.remove(id);
        disks.get(id).crash();
    }

    private void closeAll() {
        for (RaftNode n : nodes.values()) {
            n.close();
        }
    }

    private int awaitLeader() throws InterruptedException, TimeoutException {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            long maxTerm = 0;
            for (RaftNode n : nodes.values()) {
                maxTerm = Math.max(maxTerm, n.metrics().term());
            }
            for (RaftNode n : nodes.values()) {
                final RaftMetrics m = n.metrics();
                if (m.isLeader() && m.term() == maxTerm) {
                    return m.nodeId();
                }
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("no leader within " + WAIT + ": " + describe());
    }

    /** Proposes PUTs {@code prefix + i} through the leader, 1024 in flight, retrying those lost with a leader. */
    private long proposeAll(String prefix, int count) throws Exception {
        final Semaphore window = new Semaphore(1024);
        final List<CompletableFuture<byte[]>> futures = new ArrayList<>(count);
        int leader = awaitLeader();
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

    private void assertConverged(long index) throws Exception {
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

    @Test
    @Timeout(170)
    void threeNodesOverAeronElectCommitAHundredThousandEntriesAndSurviveALeaderKill() throws Exception {
        allocateEndpoints();
        try {
            for (int id : IDS) {
                start(id);
            }
            final int firstLeader = awaitLeader();
            final long committed = proposeAll("k", 100_000);
            assertTrue(committed >= 100_001, "100,000 entries and a blank committed: " + committed);
            assertConverged(committed);
            assertEquals(100_000, stateMachines.get(firstLeader).size());

            stop(firstLeader);
            final int secondLeader = awaitLeader();
            assertNotEquals(firstLeader, secondLeader);
            final long afterKill = proposeAll("after-kill-", 1_000);
            assertTrue(afterKill > committed + 1_000, "the survivors commit: " + afterKill);
            assertConverged(afterKill);

            start(firstLeader);
            assertConverged(afterKill);
            assertEquals(101_000, stateMachines.get(firstLeader).size(), "the restarted node caught up over the wire");
        } finally {
            closeAll();
        }
    }

    @Test
    @Timeout(120)
    void aFollowerDownWhileTheOthersCompactedCatchesUpByAMultiChunkSnapshotOverAeron() throws Exception {
        final int chunk = 64 << 10;
        clusterId = 43;
        snapshotPadding = 2L << 20; // every snapshot is over 2 MiB: more than 32 chunks of 64 KiB
        tweak = b -> b.snapshotEveryAppliedEntries(400).maxAppliedLogToKeep(50).snapshotChunkBytes(chunk);
        allocateEndpoints();
        try {
            for (int id : IDS) {
                start(id);
            }
            final int leader = awaitLeader();
            final int lagging = leader == 1 ? 2 : 1;
            proposeAll("a", 100);
            stop(lagging);
            final long down = disks.get(lagging).durableLastLogId().index();
            proposeAll("b", 1000);
            // the policy built snapshots and purged the leader's log beyond the stopped follower's end
            final int current = awaitLeader();
            nodes.get(current).awaitMetrics(m -> m.purgedLogId().index() > down, WAIT);
            final long leaderSnapshot = nodes.get(current).metrics().snapshotLastLogId().index();

            final long restartedAt = System.nanoTime();
            start(lagging);
            nodes.get(lagging).awaitMetrics(m -> m.snapshotLastLogId().index() >= leaderSnapshot, WAIT);
            final long installMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
            final long last = proposeAll("c", 20);
            assertConverged(last);
            for (KvStateMachine sm : stateMachines.values()) {
                assertEquals(1120, sm.size(), sm.toString());
            }
            final RaftMetrics m = nodes.get(lagging).metrics();
            assertTrue(m.snapshotLastLogId().index() > down, "caught up by snapshot: " + m);
            assertEquals(last, m.lastLogId().index(), "then by log: " + m);
            assertEquals(last, m.appliedIndex(), "applied index converged: " + m);
            // the restarted node's fresh transport received the snapshot's chunks over UDP
            final AeronTransport received = transports.get(lagging);
            assertTrue(received.counters().bytesIn() > snapshotPadding,
                "the snapshot's " + snapshotPadding + "+ bytes crossed the wire: " + received.counters().bytesIn() + " bytes in");
            assertTrue(received.counters().framesIn() > snapshotPadding / chunk,
                "at least " + snapshotPadding / chunk + " chunk frames: " + received.counters().framesIn() + " frames in");
            System.out.printf("AeronClusterTest: follower %d installed a snapshot of %d+ bytes in %d KiB chunks in %d ms"
                + " (%d frames, %d bytes in)%n", lagging, snapshotPadding, chunk >> 10, installMillis,
                received.counters().framesIn(), received.counters().bytesIn());
        } finally {
            closeAll();
        }
    }

    private String describe() {
        final StringBuilder sb = new StringBuilder();
        for (RaftNode n : nodes.values()) {
            sb.append("\n  ").append(n.metrics());
        }
        return sb.toString();
    }

    private static byte[] value(long i) {
        return ByteBuffer.allocate(8).putLong(i).array();
    }
}
