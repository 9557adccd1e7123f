package dev.raft.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 11's items 1 and 3 on the real stack (three {@code raftkv server} JVMs, Aeron UDP, file storage):
 * a follower whose disk fills must stop with one line naming the cause (not linger as a zombie) and, once space
 * returns, restart and catch up with nothing acknowledged lost; a follower whose directory was wiped and that
 * comes back under the same, stable leader must catch up (the leader re-probes it).
 *
 * <p>Both failed on main up to 2e8c342 (a zombie; a wiped follower stuck at last log 0). The wiped follower
 * passes since fed287d; the full disk still fails there (the node stops, but its last line does not name the
 * cause, or it exits 255 with Aeron's driver-timeout banner). Run them with {@code -Dsoak=regressions} (or
 * {@code bounded}/{@code long}, which run them with the soak).
 */
@EnabledIfSystemProperty(named = "soak", matches = "regressions|bounded|long")
class RealStackRegressionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int KEYS = 30;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aFollowerWhoseDiskFillsStopsWithOneLineAndRecoversOnceSpaceReturns() throws Exception {
        final SoakConfig config = SoakConfig.regression("regression-disk-full");
        try (SoakCluster cluster = new SoakCluster(3, config.serverArgs())) {
            try {
                cluster.mountTmpfs(3, 128L << 20);
            } catch (TmpfsMount.CannotMountException e) {
                Assumptions.abort("a full disk needs a tmpfs: " + e.getMessage());
            }
            try {
                ClusterWaits.startAll(cluster);
                writeKeys(cluster, "before");
                final RoundResult r = new FaultRounds(cluster, config, "").run(1, Fault.DISK_FULL);
                System.out.println(r);
                assertTrue(r.failures.isEmpty(), r.toString());
                assertTrue(r.notes.stream().anyMatch(n -> n.contains("stopped, exit")),
                    "the full disk was hit and node 3 stopped: " + r);
                writeKeys(cluster, "after");
                assertKeys(cluster, "before");
                assertKeys(cluster, "after");
            } finally {
                cluster.copyLogsTo(Path.of("target/soak", config.label()));
            }
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aWipedFollowerBackUnderTheSameLeaderCatchesUp() throws Exception {
        final SoakConfig config = SoakConfig.regression("regression-wiped-follower");
        try (SoakCluster cluster = new SoakCluster(3, config.serverArgs())) {
            try {
                ClusterWaits.startAll(cluster);
                writeKeys(cluster, "before");
                final SoakClient.NodeStatus leader = ClusterWaits.leader(cluster, FaultRounds.HEAL_TIMEOUT).orElseThrow();
                final int follower = leader.nodeId() % 3 + 1;
                cluster.kill(follower);
                FaultRounds.deleteContents(cluster.dataDir(follower));
                // deliberately not the safe procedure (a new term first): the leader must re-probe a follower whose
                // log went back below its recorded match, without waiting for a leader change
                cluster.start(follower);
                final long target = ClusterWaits.leader(cluster, TIMEOUT).orElseThrow().committedIndex();
                final long deadline = System.nanoTime() + TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(5);
                Optional<SoakClient.NodeStatus> s = Optional.empty();
                while (System.nanoTime() < deadline) {
                    s = cluster.status(follower);
                    if (s.isPresent() && s.get().appliedIndex() >= target) {
                        break;
                    }
                    Thread.sleep(50);
                }
                final SoakClient.NodeStatus now = ClusterWaits.leader(cluster, TIMEOUT).orElseThrow();
                assertTrue(s.isPresent() && s.get().appliedIndex() >= target, "wiped node " + follower
                    + " did not catch up to " + target + " within 5 s of starting + 10 s (leader " + leader.nodeId()
                    + " term " + leader.term() + " then, " + now.nodeId() + " term " + now.term() + " now):"
                    + cluster.describe());
                assertEquals(leader.term(), now.term(), "the test wants a stable leader; an election intervened");
                writeKeys(cluster, "after");
                assertKeys(cluster, "before");
            } finally {
                cluster.copyLogsTo(Path.of("target/soak", config.label()));
            }
        }
    }

    private static void writeKeys(SoakCluster cluster, String prefix) throws InterruptedException {
        for (int i = 0; i < KEYS; i++) {
            final SoakClient.Result r = cluster.execute(KvInput.put(prefix + i, prefix + "-value-" + i), TIMEOUT);
            assertEquals(SoakClient.Outcome.OK, r.outcome(), "put " + prefix + i + ": " + r.detail());
        }
    }

    private static void assertKeys(SoakCluster cluster, String prefix) throws InterruptedException {
        for (int i = 0; i < KEYS; i++) {
            final SoakClient.Result r = cluster.execute(KvInput.get(prefix + i), TIMEOUT);
            assertEquals(SoakClient.Outcome.OK, r.outcome(), "get " + prefix + i + ": " + r.detail());
            assertEquals(KvOutput.read(prefix + "-value-" + i), r.output(), "acknowledged write " + prefix + i);
        }
    }
}
