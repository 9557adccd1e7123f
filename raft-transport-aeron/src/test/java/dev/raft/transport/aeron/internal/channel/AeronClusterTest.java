package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.RaftMetrics;
import dev.raft.testkit.statemachine.KvStateMachine;
import dev.raft.transport.aeron.AeronTransportModule;
import java.util.concurrent.TimeUnit;
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
    private static final int[] IDS = {1, 2, 3};

    @Test
    @Timeout(170)
    void threeNodesOverAeronElectCommitAHundredThousandEntriesAndSurviveALeaderKill() throws Exception {
        try (CoreCluster c = new CoreCluster(42, IDS)) {
            c.startAll();
            final int firstLeader = c.awaitLeader();
            final long committed = c.proposeAll("k", 100_000);
            assertTrue(committed >= 100_001, "100,000 entries and a blank committed: " + committed);
            c.assertConverged(committed);
            assertEquals(100_000, c.stateMachines.get(firstLeader).size());

            c.stop(firstLeader);
            final int secondLeader = c.awaitLeader();
            assertNotEquals(firstLeader, secondLeader);
            final long afterKill = c.proposeAll("after-kill-", 1_000);
            assertTrue(afterKill > committed + 1_000, "the survivors commit: " + afterKill);
            c.assertConverged(afterKill);

            c.start(firstLeader);
            c.assertConverged(afterKill);
            assertEquals(101_000, c.stateMachines.get(firstLeader).size(), "the restarted node caught up over the wire");
        }
    }

    @Test
    @Timeout(120)
    void aFollowerDownWhileTheOthersCompactedCatchesUpByAMultiChunkSnapshotOverAeron() throws Exception {
        final int chunk = 64 << 10;
        final long snapshotPadding = 2L << 20; // every snapshot is over 2 MiB: more than 32 chunks of 64 KiB
        try (CoreCluster c = new CoreCluster(43, IDS)) {
            c.snapshotPadding = snapshotPadding;
            c.raftTweak = (id, b) -> b.snapshotEveryAppliedEntries(400).maxAppliedLogToKeep(50).snapshotChunkBytes(chunk);
            c.startAll();
            final int leader = c.awaitLeader();
            final int lagging = leader == 1 ? 2 : 1;
            c.proposeAll("a", 100);
            c.stop(lagging);
            final long down = c.disks.get(lagging).durableLastLogId().index();
            c.proposeAll("b", 1000);
            // the policy built snapshots and purged the leader's log beyond the stopped follower's end
            final int current = c.awaitLeader();
            c.nodes.get(current).awaitMetrics(m -> m.purgedLogId().index() > down, CoreCluster.WAIT);
            final long leaderSnapshot = c.nodes.get(current).metrics().snapshotLastLogId().index();

            final long restartedAt = System.nanoTime();
            c.start(lagging);
            c.nodes.get(lagging).awaitMetrics(m -> m.snapshotLastLogId().index() >= leaderSnapshot, CoreCluster.WAIT);
            final long installMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
            final long last = c.proposeAll("c", 20);
            c.assertConverged(last);
            for (KvStateMachine sm : c.stateMachines.values()) {
                assertEquals(1120, sm.size(), sm.toString());
            }
            final RaftMetrics m = c.nodes.get(lagging).metrics();
            assertTrue(m.snapshotLastLogId().index() > down, "caught up by snapshot: " + m);
            assertEquals(last, m.lastLogId().index(), "then by log: " + m);
            assertEquals(last, m.appliedIndex(), "applied index converged: " + m);
            // the restarted node's fresh transport received the snapshot's chunks over UDP
            final AeronTransport received = c.transports.get(lagging);
            assertTrue(received.counters().bytesIn() > snapshotPadding,
                "the snapshot's " + snapshotPadding + "+ bytes crossed the wire: " + received.counters().bytesIn() + " bytes in");
            assertTrue(received.counters().framesIn() > snapshotPadding / chunk,
                "at least " + snapshotPadding / chunk + " chunk frames: " + received.counters().framesIn() + " frames in");
            System.out.printf("AeronClusterTest: follower %d installed a snapshot of %d+ bytes in %d KiB chunks in %d ms"
                + " (%d frames, %d bytes in)%n", lagging, snapshotPadding, chunk >> 10, installMillis,
                received.counters().framesIn(), received.counters().bytesIn());
        }
    }
}
