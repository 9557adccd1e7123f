package dev.raft.thirdparty;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.testkit.conformance.FileStoreFactory;
import dev.raft.testkit.simulation.SimulatedCluster;
import dev.raft.testkit.simulation.SimulationOptions;
import dev.raft.testkit.simulation.SimulationResult;
import org.junit.jupiter.api.Test;

/**
 * The deterministic cluster simulation (faults, crashes that lose what was not forced, snapshots,
 * linearizability) over the third party's stores, bound by the same factory as the conformance suite.
 * {@code -Dsim.seeds=N} runs more seeds, {@code -Dsim.seed=N} replays one.
 */
class ThirdPartySimulationTest {
    @Test
    void theClusterStaysSafeAndLinearizableOverTheStores() {
        final String single = System.getProperty(SimulatedCluster.SEED_PROPERTY);
        final long first = single != null ? Long.parseLong(single) : 1;
        final int seeds = single != null ? 1 : Integer.getInteger("sim.seeds", 2000);
        final SimulationOptions options = SimulationOptions.defaults()
            .withRounds(Integer.getInteger(SimulatedCluster.ROUNDS_PROPERTY, 100));
        final FileStoreFactory factory = FileStoreFactory.of(ThirdPartyStores::openSparseLog, ThirdPartyStores::openSnapshots);
        final long start = System.nanoTime();
        long crashes = 0;
        long ok = 0;
        for (long seed = first; seed < first + seeds; seed++) {
            final SimulationResult r = SimulatedCluster.run(seed, options, "ThirdPartySimulationTest", factory);
            crashes += r.crashes();
            ok += r.operationsOk();
        }
        System.out.printf("simulation over the third-party file stores: %d seeds of %d rounds in %.1f s; %d crashes,"
            + " %d operations ok%n", seeds, options.rounds(), (System.nanoTime() - start) / 1e9, crashes, ok);
        assertTrue(ok > 0, "some operation completed");
    }

    /** The simulation waits for the store's flushes, so a seed replays the same trace over the file stores too. */
    @Test
    void aSeedReplaysTheSameTrace() {
        final FileStoreFactory factory = FileStoreFactory.of(ThirdPartyStores::openSparseLog, ThirdPartyStores::openSnapshots);
        final SimulationOptions options = SimulationOptions.defaults().withRounds(300);
        for (long seed = 1; seed <= 2; seed++) {
            final SimulationResult a = SimulatedCluster.run(seed, options, "ThirdPartySimulationTest", factory);
            final SimulationResult b = SimulatedCluster.run(seed, options, "ThirdPartySimulationTest", factory);
            org.junit.jupiter.api.Assertions.assertEquals(a, b, "seed " + seed + " replays identically");
        }
    }
}
