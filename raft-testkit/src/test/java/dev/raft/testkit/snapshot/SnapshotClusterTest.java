package dev.raft.testkit.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.RaftMetrics;
import dev.raft.api.SnapshotMeta;
import dev.raft.testkit.cluster.LocalCluster;
import dev.raft.testkit.memory.InMemorySnapshotStore;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Snapshot transfer between real nodes (runtime threads, in-memory storage and transport): a follower
 * that missed compacted entries catches up by snapshot then by log, a 64 MiB snapshot streams in chunks
 * while the cluster commits, and transfers survive the leader's or the follower's crash. Every test ends
 * with all state machines equal at the same applied index ({@link LocalCluster#assertConverged}).
 */
class SnapshotClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Three nodes: the leader, the follower that is down while the others compact, and the other follower. */
    private record Roles(int leader, int lagging, int other) {
        static Roles of(LocalCluster cluster) throws Exception {
            final int leader = cluster.awaitLeader(WAIT);
            final int lagging = leader == 1 ? 2 : 1;
            return new Roles(leader, lagging, 6 - leader - lagging);
        }
    }

    /**
     * Commits 50 entries, crashes {@code lagging}, commits 50 more, then builds a snapshot on each of
     * {@code builders} and waits until their logs are purged beyond the lagging node's last entry.
     *
     * @return the lagging node's last durable index
     */
    private static long compactWhileDown(LocalCluster cluster, Roles roles, int... builders) throws Exception {
        cluster.proposeAll("a", 50);
        cluster.crash(roles.lagging);
        final long down = cluster.disks.get(roles.lagging).durableLastLogId().index();
        final long last = cluster.proposeAll("b", 50);
        for (int id : builders) {
            cluster.awaitApplied(last, WAIT, id);
            final SnapshotMeta meta = cluster.node(id).triggerSnapshot().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertTrue(meta.lastLogId().index() >= last, meta::toString);
            cluster.node(id).awaitMetrics(m -> m.purgedLogId().index() > down, WAIT);
        }
        return down;
    }

    private static void awaitUnfinishedSnapshot(LocalCluster cluster, int id) throws Exception {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (cluster.disks.get(id).unfinishedSnapshotBytes() == 0) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("node " + id + " never received snapshot bytes: " + cluster.describe());
            }
            Thread.sleep(1);
        }
    }

    private static void assertKeys(LocalCluster cluster, int keys) {
        for (KvStateMachine sm : cluster.stateMachines.values()) {
            assertEquals(keys, sm.size(), sm.toString());
        }
    }

    /**
     * Commits 20 more entries, then checks that every node converged on {@code keys} keys and that
     * {@code lagging} holds {@code source}'s snapshot.
     */
    private static void assertCaughtUpWith(LocalCluster cluster, int source, int lagging, int keys) throws Exception {
        cluster.assertConverged(cluster.proposeAll("c", 20));
        assertKeys(cluster, keys);
        assertEquals(cluster.disks.get(source).currentSnapshotMeta(), cluster.disks.get(lagging).currentSnapshotMeta(),
            "node " + lagging + " installed node " + source + "'s snapshot");
    }

    @Test
    @Timeout(120)
    void aFollowerDownWhileTheLeaderCompactedCatchesUpBySnapshotThenByLog() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 71)) {
            cluster.tweak = b -> b.snapshotEveryAppliedEntries(300).maxAppliedLogToKeep(50).snapshotChunkBytes(4096);
            cluster.startAll();
            final Roles roles = Roles.of(cluster);
            cluster.proposeAll("a", 100);
            cluster.crash(roles.lagging);
            final long down = cluster.disks.get(roles.lagging).durableLastLogId().index();
            cluster.proposeAll("b", 1000);
            // the policy built snapshots and purged the leader's log beyond the lagging node's end
            final int leader = cluster.awaitLeader(WAIT);
            cluster.node(leader).awaitMetrics(m -> m.purgedLogId().index() > down, WAIT);
            cluster.start(roles.lagging);
            final long last = cluster.proposeAll("c", 20);
            cluster.assertConverged(last);
            assertKeys(cluster, 1120);
            final RaftMetrics m = cluster.node(roles.lagging).metrics();
            assertTrue(m.snapshotLastLogId().index() > down, "caught up by snapshot: " + m);
            assertEquals(last, m.lastLogId().index(), "then by log: " + m);
        }
    }

    @Test
    @Timeout(180)
    void aSnapshotOf64MibStreamsInChunksWhileTheClusterKeepsCommitting() throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 73)) {
            cluster.stateMachineFactory = id -> new KvStateMachine(64L << 20);
            cluster.tweak = b -> b.snapshotEveryAppliedEntries(0).maxAppliedLogToKeep(10)
                .snapshotChunkBytes(1 << 20).maxInflightSnapshotChunks(4);
            cluster.startAll();
            final Roles roles = Roles.of(cluster);
            final long down = compactWhileDown(cluster, roles, roles.leader);
            final LogId snapshot = cluster.node(roles.leader).metrics().snapshotLastLogId();
            cluster.start(roles.lagging);
            int rounds = 0;
            while (cluster.node(roles.lagging).metrics().snapshotLastLogId().index() < snapshot.index()) {
                cluster.proposeAll("during" + rounds + "-", 10);
                rounds++;
            }
            assertTrue(rounds > 0, "the cluster committed while the snapshot streamed");
            final long last = cluster.proposeAll("c", 10);
            cluster.assertConverged(last);
            assertKeys(cluster, 110 + 10 * rounds);
            assertTrue(cluster.node(roles.lagging).metrics().purgedLogId().index() > down);
        }
    }

    /** A transfer slow enough to be interrupted: 16 MiB in 64 KiB chunks, two in flight, 2-3 ms per chunk. */
    private static LocalCluster slowTransferCluster(long seed) {
        final LocalCluster cluster = new LocalCluster(3, seed);
        cluster.stateMachineFactory = id -> new KvStateMachine(16L << 20);
        cluster.tweak = b -> b.snapshotEveryAppliedEntries(0).maxAppliedLogToKeep(10)
            .snapshotChunkBytes(64 << 10).maxInflightSnapshotChunks(2).snapshotTransferTimeoutMillis(1000);
        return cluster.startAll();
    }

    @Test
    @Timeout(180)
    void theLeaderKilledMidTransferAndTheNewLeaderCompletesIt() throws Exception {
        try (LocalCluster cluster = slowTransferCluster(79)) {
            final Roles roles = Roles.of(cluster);
            compactWhileDown(cluster, roles, roles.leader, roles.other);
            cluster.network.delay(roles.leader, roles.lagging, 2, 3);
            cluster.start(roles.lagging);
            awaitUnfinishedSnapshot(cluster, roles.lagging);
            cluster.crash(roles.leader);
            assertEquals(roles.other, cluster.awaitLeader(WAIT));
            assertCaughtUpWith(cluster, roles.other, roles.lagging, 120);
            cluster.start(roles.leader);
            final long end = cluster.proposeAll("d", 10);
            cluster.assertConverged(end);
            assertKeys(cluster, 130);
        }
    }

    @Test
    @Timeout(180)
    void aFollowerRestartedMidTransferEndsWithTheRightState() throws Exception {
        try (LocalCluster cluster = slowTransferCluster(83)) {
            final Roles roles = Roles.of(cluster);
            compactWhileDown(cluster, roles, roles.leader);
            cluster.network.delay(roles.leader, roles.lagging, 2, 3);
            cluster.start(roles.lagging);
            awaitUnfinishedSnapshot(cluster, roles.lagging);
            cluster.crash(roles.lagging); // the partial snapshot is lost with the crash
            cluster.start(roles.lagging);
            assertCaughtUpWith(cluster, roles.leader, roles.lagging, 120);
        }
    }

    @Test
    @Timeout(120)
    void aFollowerWhoseSnapshotWriteAndFinishFailTheFirstTimeStillEndsWithTheRightState() throws Exception {
        try (LocalCluster cluster = slowTransferCluster(89)) {
            final Roles roles = Roles.of(cluster);
            compactWhileDown(cluster, roles, roles.leader);
            cluster.start(roles.lagging);
            final InMemorySnapshotStore store = cluster.disks.get(roles.lagging).snapshotStoreInUse().orElseThrow();
            store.failNextWrite(); // answered WRITE_FAILED: the leader sends the chunk again
            store.failNextFinish(); // answered WRITE_FAILED at offset 0: the leader starts over
            assertCaughtUpWith(cluster, roles.leader, roles.lagging, 120);
        }
    }
}
