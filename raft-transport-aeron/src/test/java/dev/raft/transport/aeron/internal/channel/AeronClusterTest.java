package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.RaftModule;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.AeronTransportModule;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryStorageModule;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three real nodes (core runtime, in-memory storage, {@link KvStateMachine}) wired by Guice with
 * {@link AeronTransportModule}, talking over Aeron UDP on 127.0.0.1, each with its own embedded driver:
 * they elect a leader, commit 100,000 entries, survive the leader's death (the other two elect a new
 * leader and keep committing) and the dead node, restarted on its disk and endpoint, catches up.
 */
class AeronClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int[] IDS = {1, 2, 3};

    private final Map<Integer, String> endpoints = new TreeMap<>();
    private final Map<Integer, InMemoryDisk> disks = new TreeMap<>();
    private final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    private final Map<Integer, KvStateMachine> stateMachines = new ConcurrentHashMap<>();

    private void start(int id) {
        final RaftConfig raft = RaftConfig.builder().nodeId(id).initialMembership(Membership.of(IDS))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000).build();
        final AeronTransportConfig transport = AeronTransportConfig.builder().clusterId(42).nodeId(id).endpoints(endpoints)
            .build();
        final KvStateMachine sm = new KvStateMachine();
        final RaftNode node = Guice.createInjector(new RaftModule(raft),
            new InMemoryStorageModule(disks.get(id), FlushMode.BACKGROUND),
            new AeronTransportModule(transport),
            binder -> binder.bind(StateMachine.class).toInstance(sm)).getInstance(RaftNode.class);
        stateMachines.put(id, sm);
        nodes.put(id, node);
        node.start();
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
        for (int attempt = 0; attempt < 20; attempt++) {
            final List<Integer> failed = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    futures.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof NotLeaderException || e.getCause() instanceof LeadershipLostException)) {
                        throw e;
                    }
                    failed.add(i);
                }
            }
            leader = awaitLeader();
            if (failed.isEmpty()) {
                return nodes.get(leader).metrics().committedIndex();
            }
            for (int i : failed) {
                futures.set(i, nodes.get(leader).propose(KvStateMachine.put(prefix + i, value(i))));
            }
        }
        throw new AssertionError("proposals kept failing: " + describe());
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
        for (int id : IDS) {
            endpoints.put(id, "127.0.0.1:" + LiveCluster.freeUdpPort());
            disks.put(id, new InMemoryDisk());
        }
        try {
            for (int id : IDS) {
                start(id);
            }
            final int firstLeader = awaitLeader();
            final long committed = proposeAll("k", 100_000);
            assertTrue(committed >= 100_001, "100,000 entries and a blank committed: " + committed);
            assertConverged(committed);
            assertEquals(100_000, stateMachines.get(firstLeader).size());

            nodes.remove(firstLeader).close();
            stateMachines.remove(firstLeader);
            final int secondLeader = awaitLeader();
            assertNotEquals(firstLeader, secondLeader);
            final long afterKill = proposeAll("after-kill-", 1_000);
            assertTrue(afterKill > committed + 1_000, "the survivors commit: " + afterKill);
            assertConverged(afterKill);

            disks.get(firstLeader).crash();
            start(firstLeader);
            assertConverged(afterKill);
            assertEquals(101_000, stateMachines.get(firstLeader).size(), "the restarted node caught up over the wire");
        } finally {
            for (RaftNode n : nodes.values()) {
                n.close();
            }
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
