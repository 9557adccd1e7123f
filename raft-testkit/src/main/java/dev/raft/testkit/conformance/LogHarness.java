package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.APPEND_EMPTY;
import static dev.raft.testkit.conformance.StorageContracts.APPEND_INDEX;
import static dev.raft.testkit.conformance.StorageContracts.APPEND_TERM;
import static dev.raft.testkit.conformance.StorageContracts.CRASH_PREFIX;
import static dev.raft.testkit.conformance.StorageContracts.FLUSH_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.FLUSH_EVENTUALLY;
import static dev.raft.testkit.conformance.StorageContracts.LAST_LOG_ID;
import static dev.raft.testkit.conformance.StorageContracts.LAST_PURGED;
import static dev.raft.testkit.conformance.StorageContracts.PURGE;
import static dev.raft.testkit.conformance.StorageContracts.PURGE_BEYOND;
import static dev.raft.testkit.conformance.StorageContracts.PURGE_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.PURGE_NOOP;
import static dev.raft.testkit.conformance.StorageContracts.PURGE_TERM;
import static dev.raft.testkit.conformance.StorageContracts.READ_DST;
import static dev.raft.testkit.conformance.StorageContracts.READ_ENTRIES;
import static dev.raft.testkit.conformance.StorageContracts.READ_MAX_BYTES;
import static dev.raft.testkit.conformance.StorageContracts.READ_RANGE;
import static dev.raft.testkit.conformance.StorageContracts.REJECTED_NO_CHANGE;
import static dev.raft.testkit.conformance.StorageContracts.TERM_AT;
import static dev.raft.testkit.conformance.StorageContracts.TERM_AT_RANGE;
import static dev.raft.testkit.conformance.StorageContracts.TRUNCATE;
import static dev.raft.testkit.conformance.StorageContracts.TRUNCATE_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.TRUNCATE_RANGE;
import static dev.raft.testkit.conformance.StorageContracts.VOTE;
import static dev.raft.testkit.conformance.StorageContracts.VOTE_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.VOTE_LOWER;
import static dev.raft.testkit.conformance.StorageContracts.VOTE_ONCE;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.LogStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A log store under test next to a reference model of what it must hold. Every operation is recorded,
 * performed on the store and the model, and followed by checks; the model decides whether the store must
 * accept or reject the call, so the same operations serve the fixed cases and the random sequences.
 */
final class LogHarness implements AutoCloseable {
    static final long FLUSH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(20);

    final OpLog log;
    private final StorageFactory factory;
    private final Path dir;
    private final List<Entry> model = new ArrayList<>();
    /** Entries removed by truncation, to tell a non-durable truncation from a phantom entry. */
    private final Map<LogId, String> truncated = new HashMap<>();
    private LogId purged = LogId.NONE;
    private Vote vote = Vote.INITIAL;
    private LogStore store;
    private FlushTracker tracker;

    LogHarness(StorageFactory factory, Path dir, OpLog log) {
        this.factory = factory;
        this.dir = dir;
        this.log = log;
        this.store = open("open");
        this.tracker = new FlushTracker(0, 0);
    }

    LogStore store() {
        return store;
    }

    LogId modelLast() {
        return model.isEmpty() ? purged : model.get(model.size() - 1).logId();
    }

    LogId modelPurged() {
        return purged;
    }

    Vote modelVote() {
        return vote;
    }

    Entry modelEntry(long index) {
        return model.get((int) (index - purged.index() - 1));
    }

    // ---------------------------------------------------------------- operations

    /** Appends {@code count} generated entries of {@code term} after the last one. */
    void append(long term, int count) {
        append(Entries.batch(term, modelLast().index() + 1, count));
    }

    /** Appends {@code batch}; the model decides whether it must be accepted or rejected. */
    void append(EntryBatch batch) {
        log.add("append " + Entries.describe(batch));
        tracker.check(log);
        final LogId last = modelLast();
        final String rejectedBy = batch.isEmpty() ? APPEND_EMPTY
            : batch.firstIndex() != last.index() + 1 ? APPEND_INDEX
            : batch.term(0) < last.term() ? APPEND_TERM : null;
        if (rejectedBy != null) {
            expectRejected(rejectedBy, () -> store.append(batch, tracker));
            return;
        }
        tracker.beforeAppend(batch.lastIndex());
        call(LAST_LOG_ID, "append", () -> {
            store.append(batch, tracker);
            return null;
        });
        for (int i = 0; i < batch.size(); i++) {
            model.add(batch.entry(i).toEntry());
        }
        checkIds(LAST_LOG_ID);
    }

    /** Truncates from {@code index}; the model decides whether it must be accepted. */
    void truncate(long index) {
        log.add("truncateFrom(" + index + ")");
        tracker.check(log);
        if (index <= purged.index() || index > modelLast().index() + 1) {
            expectRejected(TRUNCATE_RANGE, () -> store.truncateFrom(index));
            return;
        }
        call(TRUNCATE, "truncateFrom", () -> {
            store.truncateFrom(index);
            return null;
        });
        tracker.afterTruncate(index);
        while (modelLast().index() >= index) {
            final Entry removed = model.remove(model.size() - 1);
            truncated.put(removed.logId(), "truncateFrom(" + index + ") at operation " + log.size());
        }
        checkIds(TRUNCATE);
    }

    /** Purges up to {@code upTo}; the model decides whether it is a no-op, must be rejected or accepted. */
    void purge(LogId upTo) {
        log.add("purgeUpTo(" + upTo + ")");
        tracker.check(log);
        final LogId last = modelLast();
        if (upTo.index() <= purged.index()) {
            call(PURGE_NOOP, "purgeUpTo", () -> {
                store.purgeUpTo(upTo);
                return null;
            });
            checkIds(PURGE_NOOP);
            return;
        }
        if (upTo.index() <= last.index() && modelEntry(upTo.index()).term() != upTo.term()) {
            expectRejected(PURGE_TERM, () -> store.purgeUpTo(upTo));
            return;
        }
        final String contract = upTo.index() >= last.index() ? PURGE_BEYOND : PURGE;
        call(contract, "purgeUpTo", () -> {
            store.purgeUpTo(upTo);
            return null;
        });
        tracker.afterPurge(upTo.index());
        final int removed = (int) Math.min(model.size(), upTo.index() - purged.index());
        model.subList(0, removed).clear();
        purged = upTo;
        checkIds(contract);
        if (!model.isEmpty()) {
            final long next = purged.index() + 1;
            final EntryBatch first = new EntryBatch(64);
            call(PURGE, "read(" + next + ", " + (next + 1) + ") of the first entry kept", () -> store.read(next, next + 1,
                Integer.MAX_VALUE, first));
            log.check(first.size() == 1 && model.get(0).equals(first.entry(0).toEntry()), PURGE, "the first entry kept, "
                + model.get(0) + ", reads back as " + (first.isEmpty() ? "nothing" : first.entry(0).toEntry()));
        }
    }

    /** Saves {@code v}; the model decides whether it must be accepted. */
    void saveVote(Vote v) {
        log.add("saveVote(term " + v.term() + ", votedFor " + v.votedFor() + ")");
        tracker.check(log);
        if (v.term() < vote.term()) {
            expectRejected(VOTE_LOWER, () -> store.saveVote(v));
            return;
        }
        if (v.term() == vote.term() && vote.hasVoted() && v.votedFor() != vote.votedFor()) {
            expectRejected(VOTE_ONCE, () -> store.saveVote(v));
            return;
        }
        call(VOTE, "saveVote", () -> {
            store.saveVote(v);
            return null;
        });
        vote = v;
        final Vote read = call(VOTE, "readVote", store::readVote);
        log.check(vote.equals(read), VOTE, "readVote() = " + read + " after saveVote(" + vote + ")");
    }

    /** Reads {@code [from, to)} with {@code maxBytes} and checks the result against the model. */
    void read(long from, long to, int maxBytes) {
        log.add("read(" + from + ", " + to + ", maxBytes " + maxBytes + ")");
        tracker.check(log);
        if (from <= purged.index() || to > modelLast().index() + 1 || from > to) {
            expectRejected(READ_RANGE, () -> store.read(from, to, maxBytes, new EntryBatch(64)));
            return;
        }
        int expected = 0;
        long bytes = 0;
        for (long i = from; i < to && (expected == 0 || bytes < maxBytes); i++) {
            bytes += modelEntry(i).data().length;
            expected++;
        }
        final EntryBatch dst = new EntryBatch(256);
        final int n = call(READ_ENTRIES, "read", () -> store.read(from, to, maxBytes, dst));
        log.check(n == dst.size(), READ_DST, "read returned " + n + " but dst holds " + dst.size() + " entries");
        log.check(n == expected, READ_MAX_BYTES, "read(" + from + ", " + to + ", " + maxBytes + ") copied " + n
            + " entries, expected " + expected + " (payload sizes from " + from + ": " + sizes(from, to) + ")");
        for (int i = 0; i < n; i++) {
            final Entry got = dst.entry(i).toEntry();
            final Entry want = modelEntry(from + i);
            log.check(want.equals(got), READ_ENTRIES, "read returned " + got + " at index " + (from + i) + ", appended was " + want
                + (truncated.containsKey(got.logId()) ? " (the returned entry was truncated)" : ""));
        }
    }

    /** Checks {@code termAt(index)} against the model, rejection included. */
    void termAt(long index) {
        log.add("termAt(" + index + ")");
        if (index < purged.index() || index > modelLast().index()) {
            expectRejected(TERM_AT_RANGE, () -> store.termAt(index));
            return;
        }
        final long want = index == purged.index() ? purged.term() : modelEntry(index).term();
        final long got = call(TERM_AT, "termAt", () -> store.termAt(index));
        log.check(got == want, TERM_AT, "termAt(" + index + ") = " + got + ", expected " + want);
    }

    /** Waits until every appended entry is reported flushed. */
    void awaitFlushed() {
        final long target = modelLast().index();
        log.add("await flush of " + target);
        try {
            final boolean done = tracker.await(target, FLUSH_TIMEOUT_NANOS);
            tracker.check(log);
            log.check(done, FLUSH_EVENTUALLY, "no flush report reached index " + target + " within "
                + TimeUnit.NANOSECONDS.toSeconds(FLUSH_TIMEOUT_NANOS) + " s; highest is " + tracker.durable());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw log.failure(FLUSH_EVENTUALLY, "interrupted", e);
        }
    }

    /** Waits for the flush of everything, closes, reopens and checks everything came back. */
    void reopenAfterClose() {
        awaitFlushed();
        log.add("close; reopen");
        tracker.kill();
        call(StorageContracts.LOG_CLOSED, "close", () -> {
            store.close();
            return null;
        });
        store = open("reopen after close");
        tracker = new FlushTracker(modelLast().index(), modelLast().index());
        final Vote gotVote = call(VOTE, "readVote", store::readVote);
        log.check(gotVote.equals(vote), VOTE_DURABLE, "reopened vote " + gotVote + ", saved " + vote);
        final LogId gotPurged = call(LAST_PURGED, "lastPurgedLogId", store::lastPurgedLogId);
        log.check(gotPurged.equals(purged), PURGE_DURABLE, "reopened lastPurgedLogId " + gotPurged + ", purged up to " + purged);
        checkAll(StorageContracts.REOPEN);
    }

    /** How a store is stopped before it is reopened. */
    enum Stop {
        /** {@code close()} without waiting for flushes: unflushed appends may be lost or kept. */
        CLOSE,
        /** {@link StorageFactory#crash(LogStore, Path)}. */
        CRASH,
        /** {@link StorageFactory#crashTearingUnflushed(LogStore, Path)}. */
        TORN_CRASH
    }

    /** Crashes the store (optionally tearing the unflushed tail), reopens, and checks what survived. */
    void crashAndReopen(boolean torn) {
        stopAndReopen(torn ? Stop.TORN_CRASH : Stop.CRASH);
    }

    /**
     * Stops the store as {@code how} says, reopens it and checks what survived: the purge point and the vote,
     * every entry reported flushed, and nothing but a prefix of what was appended.
     */
    void stopAndReopen(Stop how) {
        log.add(switch (how) {
            case CLOSE -> "close (without waiting for flushes); reopen";
            case CRASH -> "crash; reopen";
            case TORN_CRASH -> "crash tearing the unflushed tail; reopen";
        });
        tracker.check(log);
        tracker.kill();
        final long durable = tracker.durable();
        try {
            switch (how) {
                case CLOSE -> store.close();
                case CRASH -> factory.crash(store, dir);
                case TORN_CRASH -> factory.crashTearingUnflushed(store, dir);
                default -> throw new IllegalStateException(how.name());
            }
        } catch (Exception e) {
            throw log.failure(how == Stop.CLOSE ? StorageContracts.LOG_CLOSED : CRASH_PREFIX, "stopping the store by "
                + how + " failed: " + e, e);
        }
        store = open("reopen after " + how);
        final LogId gotPurged = call(LAST_PURGED, "lastPurgedLogId", store::lastPurgedLogId);
        log.check(gotPurged.equals(purged), PURGE_DURABLE, "reopened lastPurgedLogId " + gotPurged + ", purged up to " + purged);
        final Vote gotVote = call(VOTE, "readVote", store::readVote);
        log.check(gotVote.equals(vote), VOTE_DURABLE, "reopened vote " + gotVote + ", saved " + vote);
        final LogId last = call(LAST_LOG_ID, "lastLogId", store::lastLogId);
        final long lower = Math.max(durable, purged.index());
        log.check(last.index() >= lower, FLUSH_DURABLE, "reopened lastLogId " + last + " but index " + lower
            + " was reported flushed (or purged)");
        if (last.index() > modelLast().index()) {
            final boolean wasTruncated = truncated.keySet().stream().anyMatch(id -> id.index() == last.index());
            throw log.failure(wasTruncated ? TRUNCATE_DURABLE : CRASH_PREFIX, "reopened lastLogId " + last
                + " is beyond the last entry held before the crash, " + modelLast(), null);
        }
        if (last.index() > purged.index()) {
            final EntryBatch all = readAll(purged.index() + 1, last.index() + 1, READ_ENTRIES,
                " (checking: " + CRASH_PREFIX + ")");
            for (int i = 0; i < all.size(); i++) {
                final Entry got = all.entry(i).toEntry();
                final Entry want = modelEntry(got.index());
                if (!want.equals(got)) {
                    final String removedBy = truncated.get(got.logId());
                    throw log.failure(removedBy != null ? TRUNCATE_DURABLE : CRASH_PREFIX, "reopened log holds " + got
                        + " at index " + got.index() + ", appended was " + want
                        + (removedBy != null ? "; it was removed by " + removedBy : ""), null);
                }
            }
        }
        log.check(last.equals(last.index() == purged.index() ? purged : modelEntry(last.index()).logId()), LAST_LOG_ID,
            "reopened lastLogId " + last + " does not match its entry");
        while (modelLast().index() > last.index()) {
            model.remove(model.size() - 1);
        }
        tracker = new FlushTracker(Math.min(durable, last.index()), last.index());
        log.add("  (reopened with lastLogId " + last + ")");
    }

    /**
     * Checks ids, vote, every entry and every term against the model. The ids are checked under {@code contract}
     * (what the last operation promised); every other sub-check names its own contract and says what it was
     * checking.
     */
    void checkAll(String contract) {
        checkIds(contract);
        final String checking = " (checking: " + contract + ")";
        final Vote gotVote = call(VOTE, "readVote" + checking, store::readVote);
        log.check(gotVote.equals(vote), VOTE, "readVote() = " + gotVote + ", saved " + vote + checking);
        final LogId last = modelLast();
        if (last.index() > purged.index()) {
            final EntryBatch all = readAll(purged.index() + 1, last.index() + 1, READ_ENTRIES, checking);
            for (int i = 0; i < all.size(); i++) {
                final Entry got = all.entry(i).toEntry();
                final String how = truncated.get(got.logId());
                log.check(modelEntry(got.index()).equals(got), how != null ? TRUNCATE : READ_ENTRIES, "holds " + got
                    + " at index " + got.index() + ", appended was " + modelEntry(got.index())
                    + (how != null ? "; it was removed by " + how : "") + checking);
                final long term = call(TERM_AT, "termAt(" + got.index() + ")" + checking, () -> store.termAt(got.index()));
                log.check(term == got.term(), TERM_AT, "termAt(" + got.index() + ") = " + term + ", entry has term " + got.term()
                    + checking);
            }
        }
        final long purgedTerm = call(TERM_AT, "termAt(" + purged.index() + ")" + checking, () -> store.termAt(purged.index()));
        log.check(purgedTerm == purged.term(), TERM_AT, "termAt(" + purged.index() + ") = " + purgedTerm
            + " at the purge point " + purged + checking);
    }

    /** Checks {@code lastLogId} and {@code lastPurgedLogId} against the model. */
    void checkIds(String contract) {
        tracker.check(log);
        final LogId last = call(contract, "lastLogId", store::lastLogId);
        log.check(last.equals(modelLast()), contract, "lastLogId() = " + last + ", expected " + modelLast());
        final LogId gotPurged = call(contract, "lastPurgedLogId", store::lastPurgedLogId);
        log.check(gotPurged.equals(purged), contract, "lastPurgedLogId() = " + gotPurged + ", expected " + purged);
    }

    private EntryBatch readAll(long from, long to, String contract, String checking) {
        final EntryBatch all = new EntryBatch(1024);
        long next = from;
        while (next < to) {
            final long start = next;
            final int n = call(contract, "read(" + start + ", " + to + ")" + checking,
                () -> store.read(start, to, Integer.MAX_VALUE, all));
            log.check(n > 0 && all.size() == next - from + n, READ_DST, "read(" + start + ", " + to
                + ", MAX) copied " + n + " entries, dst now holds " + all.size() + checking);
            next += n;
        }
        for (int i = 0; i < all.size(); i++) {
            log.check(all.index(i) == from + i, READ_ENTRIES, "read returned index " + all.index(i) + " at position " + i
                + " of a read from " + from + checking);
        }
        return all;
    }

    private String sizes(long from, long to) {
        final StringBuilder sb = new StringBuilder("[");
        for (long i = from; i < to && i < from + 20; i++) {
            sb.append(i == from ? "" : ", ").append(modelEntry(i).data().length);
        }
        return sb.append(to - from > 20 ? ", ...]" : "]").toString();
    }

    private void expectRejected(String contract, Runnable call) {
        try {
            call.run();
        } catch (IllegalArgumentException expected) {
            checkIds(REJECTED_NO_CHANGE);
            return;
        } catch (RuntimeException e) {
            throw log.failure(contract, "threw " + e + " instead of IllegalArgumentException", e);
        }
        throw log.failure(contract, "the call was accepted; IllegalArgumentException expected", null);
    }

    <T> T call(String contract, String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw log.failure(contract, what + " threw " + e, e);
        }
    }

    private LogStore open(String what) {
        try {
            return factory.openLogStore(dir);
        } catch (Exception e) {
            throw log.failure(StorageContracts.REOPEN, what + " of " + dir + " failed: " + e, e);
        }
    }

    /** Closes the store quietly (test teardown). */
    @Override
    public void close() {
        tracker.kill();
        try {
            store.close();
        } catch (RuntimeException ignored) {
            // teardown of a store that may be broken on purpose
        }
    }
}
