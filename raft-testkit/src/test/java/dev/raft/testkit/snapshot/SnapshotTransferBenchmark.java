package dev.raft.testkit.snapshot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.testkit.cluster.LocalCluster;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Snapshot transfer throughput over the in-memory transport: a 3-node cluster whose state machines
 * write 64 MiB snapshots. Each of {@value #ROUNDS} rounds crashes a follower, commits 30 entries, builds a
 * new snapshot on the leader (which purges its log beyond the follower's end) and restarts the follower,
 * which then receives the whole snapshot; the round is timed end to end, from the follower's start to
 * the snapshot installed (restore included). Not part of the default test run:
 *
 * <pre>mvn -o -q -B install -pl raft-testkit -am -Dtest=SnapshotTransferBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Draft.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "raft.bench", matches = "true")
class SnapshotTransferBenchmark {
    private static final int ROUNDS = 5;
    private static final long PADDING = 64L << 20;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ParameterizedTest(name = "chunk {0} KiB, window {1}")
    @CsvSource({"1024, 4", "256, 8", "64, 16"})
    @Timeout(300)
    void transferThroughput(int chunkKib, int window) throws Exception {
        try (LocalCluster cluster = new LocalCluster(3, 97)) {
            cluster.stateMachineFactory = id -> new KvStateMachine(PADDING);
            cluster.tweak = b -> b.snapshotEveryAppliedEntries(0).maxAppliedLogToKeep(10)
                .snapshotChunkBytes(chunkKib << 10).maxInflightSnapshotChunks(window);
            cluster.startAll();
            final int leader = cluster.awaitLeader(WAIT);
            final int follower = leader == 1 ? 2 : 1;
            final double[] mibPerSecond = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                // the follower misses 30 entries that a new snapshot covers and the leader purges
                cluster.crash(follower);
                final long down = cluster.disks.get(follower).durableLastLogId().index();
                final long last = cluster.proposeAll("r" + round + "-", 30);
                cluster.awaitApplied(last, WAIT, leader);
                final LogId snapshot = cluster.node(leader).triggerSnapshot().get(WAIT.toSeconds(), TimeUnit.SECONDS)
                    .lastLogId();
                cluster.node(leader).awaitMetrics(m -> m.purgedLogId().index() > down, WAIT);
                final long start = System.nanoTime();
                cluster.start(follower);
                cluster.node(follower).awaitMetrics(m -> m.snapshotLastLogId().index() >= snapshot.index(), WAIT);
                final double seconds = (System.nanoTime() - start) / 1e9;
                mibPerSecond[round] = (PADDING / (double) (1 << 20)) / seconds;
            }
            Arrays.sort(mibPerSecond);
            System.out.printf("BENCH snapshot transfer, 64 MiB, chunk %d KiB, window %d: median %.0f MiB/s"
                + " (min %.0f, max %.0f) over %d rounds%n", chunkKib, window, mibPerSecond[ROUNDS / 2],
                mibPerSecond[0], mibPerSecond[ROUNDS - 1], ROUNDS);
            cluster.assertConverged(cluster.proposeAll("after", 10));
            assertTrue(mibPerSecond[0] > 0);
        }
    }
}
