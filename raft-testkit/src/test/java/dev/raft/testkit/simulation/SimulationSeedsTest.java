package dev.raft.testkit.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs many simulation seeds (CI: 2,000; a soak: {@code -Dsim.seeds=100000}) or replays one
 * ({@code -Dsim.seed=N}), and prints the figures: seeds per second, faults injected, operations checked.
 */
class SimulationSeedsTest {
    private static final String SELF = "SimulationSeedsTest";

    @Test
    void everySeedKeepsTheInvariantsAndALinearizableHistory() {
        final String single = System.getProperty(SimulatedCluster.SEED_PROPERTY);
        final long first = single != null ? Long.parseLong(single) : Long.getLong("sim.firstSeed", 1);
        final int seeds = single != null ? 1 : Integer.getInteger("sim.seeds", 2000);
        final SimulationOptions options = SimulationOptions.defaults()
            .withRounds(Integer.getInteger(SimulatedCluster.ROUNDS_PROPERTY, SimulationOptions.DEFAULT_ROUNDS));
        final Duration budget = Duration.ofSeconds(120).plusMillis(200L * seeds);
        final Totals totals = assertTimeoutPreemptively(budget, () -> runSeeds(first, seeds, options));
        System.out.println(totals.report());
        assertEquals(seeds, totals.seeds + totals.failed);
        assertTrue(totals.operationsOk > 0, "some operation completed: " + totals.report());
        if (seeds >= 100) {
            assertTrue(totals.crashes > 0 && totals.snapshots > 0 && totals.purges > 0 && totals.restores > 0,
                "crashes, snapshots, purges and restores happened: " + totals.report());
            assertTrue(totals.membershipChanges > 0 && totals.transfers > 0 && totals.commitQuorumChecks > 0,
                "membership changes and transfers happened, commits were checked: " + totals.report());
        }
    }

    @Test
    void theSameSeedReplaysTheSameTrace() {
        final SimulationOptions options = SimulationOptions.defaults();
        for (long seed = 1; seed <= 5; seed++) {
            final SimulationResult a = SimulatedCluster.run(seed, options, SELF);
            final SimulationResult b = SimulatedCluster.run(seed, options, SELF);
            assertEquals(a, b, "seed " + seed + " replays identically");
        }
        assertTrue(SimulatedCluster.run(1, options, SELF).traceHash() != SimulatedCluster.run(2, options, SELF).traceHash(),
            "different seeds give different traces");
    }

    /** Runs the seeds, going on after a failing one; fails at the end naming up to ten failing seeds. */
    private static Totals runSeeds(long first, int seeds, SimulationOptions options) {
        final Totals totals = new Totals();
        final List<SimulationFailure> failures = new ArrayList<>();
        final long start = System.nanoTime();
        for (long seed = first; seed < first + seeds; seed++) {
            try {
                totals.add(SimulatedCluster.run(seed, options, SELF));
            } catch (SimulationFailure f) {
                totals.failed++;
                if (failures.size() < 10) {
                    failures.add(f);
                }
            }
        }
        totals.nanos = System.nanoTime() - start;
        if (!failures.isEmpty()) {
            final StringBuilder message = new StringBuilder(totals.failed + " of " + seeds + " seeds failed; "
                + totals.report());
            failures.forEach(f -> message.append("\n").append(f.getMessage()));
            final AssertionError error = new AssertionError(message.toString(), failures.get(0));
            failures.stream().skip(1).forEach(error::addSuppressed);
            throw error;
        }
        return totals;
    }

    /** Sums over the seeds of a run. */
    static final class Totals {
        long seeds;
        long failed;
        long nanos;
        long faults;
        long crashes;
        long messages;
        long operations;
        long operationsOk;
        long operationsUnknown;
        long operationsChecked;
        long linearizabilityUnknown;
        long appliedChecks;
        long simulatedMillis;
        long snapshots;
        long purges;
        long restores;
        long maxSettleMillis;
        long membershipChanges;
        long transfers;
        long adminFailures;
        long commitQuorumChecks;

        void add(SimulationResult r) {
            seeds++;
            faults += r.faults();
            crashes += r.crashes();
            messages += r.messagesSent();
            operations += r.operations();
            operationsOk += r.operationsOk();
            operationsUnknown += r.operationsUnknown();
            operationsChecked += r.operationsChecked();
            linearizabilityUnknown += r.linearizabilityUnknown() ? 1 : 0;
            appliedChecks += r.appliedChecks();
            simulatedMillis += r.simulatedMillis();
            snapshots += r.snapshots();
            purges += r.purges();
            restores += r.restores();
            maxSettleMillis = Math.max(maxSettleMillis, r.settleMillis());
            membershipChanges += r.membershipChanges();
            transfers += r.transfers();
            adminFailures += r.adminFailures();
            commitQuorumChecks += r.commitQuorumChecks();
        }

        String report() {
            final double seconds = nanos / 1e9;
            return String.format("simulation: %d seeds in %.1f s (%.1f seeds/s), simulated %d s; faults injected %d"
                    + " (crashes %d); messages %d; operations %d (ok %d, unknown %d), %d checked linearizable"
                    + " (%d histories undecided); applied entries cross-checked %d; snapshots built %d, log purges %d,"
                    + " snapshots restored %d; converged after healing within %d ms (slowest seed); membership changes"
                    + " committed %d, leadership transfers %d, admin requests failed %d; leader commits checked against"
                    + " the quorums of the configuration in force %d",
                seeds, seconds, seeds / seconds, simulatedMillis / 1000, faults, crashes, messages, operations,
                operationsOk, operationsUnknown, operationsChecked, linearizabilityUnknown, appliedChecks, snapshots, purges,
                restores, maxSettleMillis, membershipChanges, transfers, adminFailures, commitQuorumChecks);
        }
    }
}
