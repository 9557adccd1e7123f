package dev.raft.testkit.conformance;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import java.util.SplittableRandom;

/**
 * One seeded random sequence of log store operations, valid and invalid, checked against the reference
 * model of {@link LogHarness} after every operation. The same seed gives the same sequence.
 */
final class LogModelRun {
    private final LogHarness h;
    private final SplittableRandom random;
    private final boolean crash;
    private final boolean tornCrash;

    LogModelRun(LogHarness harness, long seed, boolean crash, boolean tornCrash) {
        this.h = harness;
        this.random = new SplittableRandom(seed);
        this.crash = crash;
        this.tornCrash = tornCrash;
    }

    void run(int operations) {
        for (int i = 0; i < operations; i++) {
            step();
        }
        h.awaitFlushed();
        h.checkAll(StorageContracts.READ_ENTRIES);
    }

    private void step() {
        final LogId last = h.modelLast();
        final LogId purged = h.modelPurged();
        final int op = random.nextInt(100);
        if (op < 30) {
            final long term = Math.max(1, last.term()) + (random.nextInt(10) == 0 ? 1 : 0);
            h.append(term, 1 + random.nextInt(5));
        } else if (op < 34) {
            h.append(invalidBatch(last));
        } else if (op < 42) {
            final long span = last.index() - purged.index() + 1;
            final long index = random.nextInt(5) == 0 ? purged.index() + 1 + random.nextLong(-2, span + 3)
                : purged.index() + 1 + random.nextLong(span);
            h.truncate(index);
        } else if (op < 48) {
            h.purge(purgeTarget(last, purged));
        } else if (op < 63) {
            final long span = last.index() - purged.index() + 1;
            final long from = purged.index() + 1 + (random.nextInt(8) == 0 ? random.nextLong(-2, span + 2) : random.nextLong(span));
            final long to = from + (random.nextInt(8) == 0 ? random.nextLong(-2, 4) : random.nextLong(Math.max(1, last.index() + 2 - from)));
            final int maxBytes = random.nextBoolean() ? Integer.MAX_VALUE : random.nextInt(200);
            h.read(from, to, maxBytes);
        } else if (op < 71) {
            h.termAt(purged.index() - 1 + random.nextLong(last.index() - purged.index() + 3));
        } else if (op < 79) {
            final Vote vote = h.modelVote();
            final long term = Math.max(0, vote.term() + random.nextInt(-1, 2));
            h.saveVote(new Vote(term, random.nextInt(4)));
        } else if (op < 82) {
            h.awaitFlushed();
        } else if (op < 84) {
            h.reopenAfterClose();
        } else if (op < 85) {
            h.stopAndReopen(LogHarness.Stop.CLOSE);
        } else if (op < 89 && crash) {
            h.crashAndReopen(tornCrash && random.nextBoolean());
        } else {
            h.checkAll(StorageContracts.LAST_LOG_ID);
        }
    }

    private EntryBatch invalidBatch(LogId last) {
        final long term = Math.max(1, last.term());
        switch (random.nextInt(4)) {
            case 0:
                return new EntryBatch(16);
            case 1:
                return Entries.batch(term, last.index() + 2 + random.nextInt(3), 1 + random.nextInt(3));
            case 2:
                return Entries.batch(term, Math.max(1, last.index() - random.nextInt(3)), 1 + random.nextInt(3));
            default:
                return last.term() > 1 ? Entries.batch(last.term() - 1, last.index() + 1, 2)
                    : Entries.batch(term, last.index() + 2, 1);
        }
    }

    private LogId purgeTarget(LogId last, LogId purged) {
        final int kind = random.nextInt(10);
        if (kind < 5 && last.index() > purged.index()) {
            final long index = purged.index() + 1 + random.nextLong((last.index() - purged.index() + 1) / 2 + 1);
            final long at = Math.min(index, last.index());
            return LogId.of(h.modelEntry(at).term(), at);
        }
        if (kind < 7 && last.index() > purged.index()) {
            final long at = purged.index() + 1 + random.nextLong(last.index() - purged.index());
            return LogId.of(h.modelEntry(at).term() + 1, at);
        }
        if (kind < 8) {
            final long below = purged.index() - random.nextInt((int) Math.min(2, purged.index()) + 1);
            return below == 0 ? LogId.NONE : LogId.of(purged.term(), below);
        }
        return LogId.of(Math.max(1, last.term()) + random.nextInt(2), last.index() + 1 + random.nextInt(4));
    }
}
