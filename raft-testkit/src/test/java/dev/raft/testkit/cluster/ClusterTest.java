package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.RaftException;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cluster tests of the core: real runtime threads, in-memory storage and transport, 3 and 5 nodes. */
class ClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static byte[] value(long i) {
        return LocalCluster.value(i);
    }

    private static long proposeAll(LocalCluster cluster, String prefix, int count) throws Exception {
        return cluster.proposeAll(prefix, count);
    }

    private static void assertConverged(LocalCluster cluster, long index) throws Exception {
        cluster.assertConverged(index);
    }

    /** Proposes {@code count} PUTs, then returns a follower that has applied them (and the leader's blank). */
    private static int followerHolding(LocalCluster cluster, String prefix, int count) throws Exception {
        proposeAll(cluster, prefix, count);
        final int leader = cluster.awaitLeader(WAIT);
        final int follower = leader == 1 ? 2 : 1;
        cluster.awaitApplied(count + 1, WAIT, follower);
        return follower;
    }

    /** Every state machine holds exactly {@code keys} keys. */
    private static void assertKeys(LocalCluster cluster, int keys) {
        for (KvStateMachine sm : cluster.stateMachines.values()) {
            assertEquals(keys, sm.size(), sm.toString());
        }
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @Timeout(120)
    void tenThousandProposalsAreAppliedInTheSameOrderOnEveryNode(int size) throws Exception {
        try (LocalCluster cluster = new LocalCluster(size, 42).startAll()) {
            final long last = proposeAll(cluster, "k", 10_000);
            assertTrue(last >= 10_001, "10,000 entries plus a blank: " + last);
            assertConverged(cluster, last);
            for (KvStateMachine sm : cluster.stateMachines.values()) {
                assertEquals(10_000, sm.size());
                assertArrayEquals(value(9_999), sm.value("k9999"));
            }
        }
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @Timeout(60)
    void exactlyOneLeaderPerTermAndNonLeadersRefuseWithAHint(int size) throws Exception {
        try (LocalCluster cluster = new LocalCluster(size, 7).startAll()) {
            final int leader = cluster.awaitLeader(WAIT);
            final int follower = leader == 1 ? 2 : 1;
            cluster.node(follower).awaitMetrics(m -> m.leaderId() == leader, WAIT);
            final ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> cluster.node(follower).propose(new byte[] {1}).get(10, TimeUnit.SECONDS));
            final NotLeaderException notLeader = assertInstanceOf(NotLeaderException.class, refused.getCause());
            assertEquals(leader, notLeader.leaderHint());
            for (int i = 0; i < 200; i++) {
                cluster.observe();
                Thread.sleep(2);
            }
            final RaftMetrics m = cluster.node(leader).metrics();
            assertEquals(size - 1, m.matchIndex().size());
            assertTrue(cluster.electionSafetyViolations.isEmpty(), cluster.electionSafetyViolations.toString());
            final long maxTerm = cluster.nodes.values().stream().mapToLong(n -> n.metrics().term()).max().orElseThrow();
            assertTrue(cluster.nodes.values().stream()
                .filter(n -> n.metrics().role() == Role.LEADER && n.metrics().term() == maxTerm).count() <= 1);
        }
    }

    @ParameterizedTest(name = "{0} nodes")
    @ValueSource(ints = {3, 5})
    @Timeout(120)
    void killedLeaderIsReplacedAndTheSurvivorsKeepCommitting(int size) throws Exception {
        try (LocalCluster cluster = new LocalCluster(size, 11).startAll()) {
            proposeAll(cluster, "a", 500);
            final int oldLeader = cluster.awaitLeader(WAIT);
            final long oldTerm = cluster.node(oldLeader).metrics().term();
            final Thread observer = observer(cluster);
            cluster.crash(oldLeader);
            final int newLeader = cluster.awaitLeader(WAIT);
            assertNotEquals(oldLeader, newLeader);
            assertTrue(cluster.node(newLeader).metrics().term() > oldTerm);
            final long last = proposeAll(cluster, "b", 500);
            observer.interrupt();
            observer.join();
            assertConverged(cluster, last);
            assertKeys(cluster, 1000);
        }
    }

    @Test
    @Timeout(120)
    void minorityPartitionCannotCommitItsClientsGetErrorsAndItConvergesAfterHealing() throws Exception {
        try (LocalCluster cluster = new LocalCluster(5, 13).startAll()) {
            proposeAll(cluster, "a", 200);
            final int oldLeader = cluster.awaitLeader(WAIT);
            final int buddy = oldLeader == 1 ? 2 : 1;
            final int[] majority = java.util.Arrays.stream(cluster.ids).filter(id -> id != oldLeader && id != buddy).toArray();
            final Thread observer = observer(cluster);
            cluster.network.partition(new int[] {oldLeader, buddy}, majority);

            // the old leader's clients: every proposal fails (never commits, never hangs)
            final List<CompletableFuture<byte[]>> minority = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                minority.add(cluster.node(oldLeader).propose(KvStateMachine.put("minority" + i, value(i))));
            }
            for (CompletableFuture<byte[]> f : minority) {
                try {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    fail("a minority committed a proposal: " + cluster.describe());
                } catch (ExecutionException e) {
                    assertTrue(e.getCause() instanceof LeadershipLostException || e.getCause() instanceof NotLeaderException,
                        e.getCause().toString());
                }
            }
            cluster.node(oldLeader).awaitMetrics(m -> m.role() != Role.LEADER, WAIT);

            final int newLeader = cluster.awaitLeader(WAIT, majority);
            final CompletableFuture<byte[]> committed = cluster.node(newLeader).propose(KvStateMachine.put("majority", value(1)));
            committed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            final long majorityCommit = cluster.node(newLeader).metrics().committedIndex();

            cluster.network.heal();
            final long last = proposeAll(cluster, "c", 100);
            observer.interrupt();
            observer.join();
            assertTrue(last > majorityCommit);
            assertConverged(cluster, last);
            for (KvStateMachine sm : cluster.stateMachines.values()) {
                assertEquals(null, sm.value("minority0"), "an uncommitted minority entry was applied: " + sm);
                assertArrayEquals(value(1), sm.value("majority"));
            }
        }
    }

    @Test
    @Timeout(120)
    void lossyDuplicatingReorderingNetworkStillConverges() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 23).startAll()) {
            cluster.awaitLeader(WAIT);
            for (int from : cluster.ids) {
                for (int to : cluster.ids) {
                    if (from != to) {
                        cluster.network.drop(from, to, 0.05);
                        cluster.network.duplicate(from, to, 0.02);
                        cluster.network.delay(from, to, 0, 3);
                    }
                }
            }
            final long last = proposeAll(cluster, "x", 2000);
            assertConverged(cluster, last);
            assertTrue(cluster.network.droppedCount() > 0);
            assertKeys(cluster, 2000);
        }
    }

    @Test
    @Timeout(120)
    void restartedNodeCatchesUpFromItsOwnLogAndTheLeader() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 17).startAll()) {
            final int follower = followerHolding(cluster, "a", 300);
            // applied does not imply durable on the follower itself (commit needs only a quorum): wait for its flush
            final long deadline = System.nanoTime() + WAIT.toNanos();
            while (cluster.disks.get(follower).durableLastLogId().index() < 301 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            cluster.crash(follower);
            final long keptByDisk = cluster.disks.get(follower).durableLastLogId().index();
            assertTrue(keptByDisk >= 301, "the follower's durable log: " + keptByDisk);
            final long last = proposeAll(cluster, "b", 300);

            cluster.start(follower);
            assertConverged(cluster, last);
            assertKeys(cluster, 600);
        }
    }

    @Test
    @Timeout(120)
    void followerFarBehindIsServedFromTheLeadersLogStoreOnceTheCacheMovedOn() throws Exception {
        // small batches and window: the runtime keeps only ~1024 recent entries in its cache
        try (LocalCluster cluster = new LocalCluster(3, 31)) {
            cluster.tweak = b -> b.maxEntriesPerAppend(16).maxInflightAppends(4);
            cluster.startAll();
            final int follower = followerHolding(cluster, "a", 200);
            cluster.crash(follower);
            proposeAll(cluster, "b", 3000);
            cluster.start(follower);
            final long last = proposeAll(cluster, "c", 10);
            assertConverged(cluster, last);
            assertKeys(cluster, 3210);
        }
    }

    @Test
    @Timeout(120)
    void triggeredSnapshotIsDurableAndARestartedNodeRestoresItThenCatchesUp() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 29).startAll()) {
            final int follower = followerHolding(cluster, "s", 100);
            final dev.raft.api.SnapshotMeta meta = cluster.node(follower).triggerSnapshot().get(30, TimeUnit.SECONDS);
            assertTrue(meta.lastLogId().index() >= 101, meta.toString());
            assertEquals(meta, cluster.disks.get(follower).currentSnapshotMeta().orElseThrow());
            cluster.crash(follower);
            final long last = proposeAll(cluster, "t", 100);
            cluster.start(follower);
            assertEquals(meta.lastLogId(), cluster.node(follower).metrics().snapshotLastLogId(), "restored on start");
            assertConverged(cluster, last);
            assertKeys(cluster, 200);
        }
    }

    @Test
    @Timeout(60)
    void aCommandLargerThanOneAppendIsRefusedAtOnceAndTheClusterKeepsCommitting() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 23).startAll()) {
            final RaftNode leader = cluster.node(cluster.awaitLeader(WAIT));
            final int max = 1024 * 1024; // the default RaftConfig.maxBytesPerAppend
            final ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> leader.propose(new byte[max + 1]).get(10, TimeUnit.SECONDS));
            assertInstanceOf(RaftException.class, refused.getCause());
            assertTrue(refused.getCause().getMessage().contains("RaftConfig.maxBytesPerAppend"), refused.getCause().getMessage());
            assertTrue(refused.getCause().getMessage().contains(Integer.toString(max + 1)), refused.getCause().getMessage());
            leader.propose(new byte[max]).get(30, TimeUnit.SECONDS); // the largest command still commits
            leader.propose(new byte[] {1}).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void closingANodeFailsItsPendingAndLaterCalls() throws Exception {
        final LocalCluster cluster = new LocalCluster(3, 19).startAll();
        try {
            final int leader = cluster.awaitLeader(WAIT);
            final int follower = leader == 1 ? 2 : 1;
            cluster.crash(follower);
            cluster.crash(leader == 3 || follower == 3 ? (leader == 1 || follower == 1 ? 2 : 1) : 3);
            // the leader alone cannot commit: its proposal stays pending until close
            final RaftNode alone = cluster.node(leader);
            final CompletableFuture<byte[]> pending = alone.propose(new byte[] {1});
            Thread.sleep(50);
            alone.close();
            final CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                pending::join);
            assertTrue(e.getCause() instanceof NodeClosedException || e.getCause() instanceof LeadershipLostException,
                e.getCause().toString());
            final CompletionException after = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> alone.propose(new byte[] {2}).join());
            assertInstanceOf(NodeClosedException.class, after.getCause());
            assertThrowsClosed(alone);
            assertEquals(Role.SHUTDOWN, alone.metrics().role());
        } finally {
            cluster.close();
        }
    }

    private static void assertThrowsClosed(RaftNode node) {
        try {
            node.start();
            fail("start after close");
        } catch (RaftException expected) {
            assertInstanceOf(NodeClosedException.class, expected);
        }
    }

    /** A thread that samples every node's metrics until interrupted (election-safety observer). */
    private static Thread observer(LocalCluster cluster) {
        final Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                cluster.observe();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "observer");
        t.setDaemon(true);
        t.start();
        return t;
    }

}
