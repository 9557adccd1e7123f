package dev.raft.testkit.conformance;

import dev.raft.api.LogId;
import dev.raft.api.Vote;

/**
 * The bodies of {@link StorageConformanceSuite}'s cases of what a log store keeps across a reopen or a crash,
 * and of its random run against the model. Each is documented at the suite's case of the same name.
 */
final class LogDurabilityCases {
    private LogDurabilityCases() {
    }

    static void reopenAfterCloseKeepsEverything(ConformanceFixture fx) {
        final LogHarness h = fx.log();
        h.reopenAfterClose();
        h.append(1, 20);
        h.saveVote(new Vote(3, 2));
        h.purge(LogId.of(1, 4));
        h.truncate(15);
        h.append(3, 5);
        h.reopenAfterClose();
        h.append(3, 2);
        h.purge(LogId.of(4, 40));
        h.reopenAfterClose();
        h.append(4, 1);
        h.reopenAfterClose();
    }

    static void crashKeepsFlushedEntriesVoteTruncateAndPurge(ConformanceFixture fx) {
        fx.assumeFault(Fault.CRASH);
        final LogHarness h = fx.log();
        h.append(1, 10);
        h.awaitFlushed();
        h.saveVote(new Vote(2, 1));
        h.append(2, 5);
        h.crashAndReopen(false);
        h.append(2, 10);
        h.awaitFlushed();
        h.truncate(12);
        h.crashAndReopen(false);
        h.append(3, 6);
        h.awaitFlushed();
        h.purge(LogId.of(3, 14));
        h.crashAndReopen(false);
        h.purge(LogId.of(5, 40));
        h.crashAndReopen(false);
        h.append(5, 3);
        h.saveVote(new Vote(5, 3));
        h.crashAndReopen(false);
        h.checkAll(StorageContracts.FLUSH_DURABLE);
    }

    static void crashAfterTruncateNeverResurrects(ConformanceFixture fx) {
        fx.assumeFault(Fault.CRASH);
        final LogHarness h = fx.log();
        for (int round = 0; round < 10; round++) {
            h.append(1 + round, 8);
            h.awaitFlushed();
            h.truncate(h.modelLast().index() - 3);
            if (round % 2 == 0) {
                h.append(1 + round, 1);
            }
            h.crashAndReopen(false);
        }
    }

    static void crashTearingTheUnflushedTail(ConformanceFixture fx) {
        fx.assumeFault(Fault.TORN_CRASH);
        final LogHarness h = fx.log();
        for (int round = 0; round < 10; round++) {
            h.append(1 + round, 5);
            h.awaitFlushed();
            h.append(1 + round, 1 + round);
            h.crashAndReopen(true);
        }
    }

    static void preconditionsOnBothSidesAfterPurgeTruncateReopenAndCrash(ConformanceFixture fx) {
        final LogHarness h = fx.log();
        h.append(1, 10);
        h.append(2, 10);
        PrincipleCases.boundaries(h);
        h.purge(LogId.of(1, 5));
        PrincipleCases.boundaries(h);
        h.truncate(15);
        PrincipleCases.boundaries(h);
        h.reopenAfterClose();
        PrincipleCases.boundaries(h);
        if (fx.supports(Fault.CRASH)) {
            h.append(3, 3);
            h.awaitFlushed();
            h.crashAndReopen(false);
            PrincipleCases.boundaries(h);
        }
    }

    static void randomLogOperationsMatchTheModel(ConformanceFixture fx) {
        final boolean crash = fx.supports(Fault.CRASH);
        final boolean torn = fx.supports(Fault.TORN_CRASH);
        final int operations = Integer.getInteger("raft.conformance.ops", 400);
        for (long seed : fx.seeds(Integer.getInteger("raft.conformance.seeds", 12))) {
            final OpLog ops = fx.seededOps(seed, operations);
            try (LogHarness h = new LogHarness(fx.factory(), fx.dir("random-log-" + seed), ops)) {
                new LogModelRun(h, seed, crash, torn).run(operations);
            }
        }
    }
}
