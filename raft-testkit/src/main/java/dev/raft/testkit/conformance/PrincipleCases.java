package dev.raft.testkit.conformance;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The bodies of the suite's cases for limits at their maximum, preconditions on both sides of their
 * boundaries, one callback per append, and the report of the cases an unsupported fault skips.
 */
final class PrincipleCases {
    /** How long a callback may lag behind another that was already told of its entries. */
    private static final long CALLBACK_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private PrincipleCases() {
    }

    /** Appends the largest entry the factory declares between small ones; reads it back before and after reopen. */
    static void largestEntry(LogHarness h, int maxEntryBytes) {
        h.append(1, 3);
        final long index = h.modelLast().index() + 1;
        final EntryBatch big = new EntryBatch(maxEntryBytes + 64);
        big.add(Entries.sized(1, index, maxEntryBytes));
        h.append(big);
        h.append(1, 2);
        checkEntry(h, index, "after append");
        h.reopenAfterClose();
        checkEntry(h, index, "after reopen");
    }

    private static void checkEntry(LogHarness h, long index, String when) {
        final EntryBatch dst = new EntryBatch(64);
        final int n = h.call(StorageContracts.LIMITS, "read(" + index + ", " + (index + 1) + ") " + when,
            () -> h.store().read(index, index + 1, Integer.MAX_VALUE, dst));
        final Entry want = h.modelEntry(index);
        final Entry got = n == 1 ? dst.entry(0).toEntry() : null;
        h.log.check(want.equals(got), StorageContracts.LIMITS, "the largest entry " + want + " reads back as " + got + " " + when);
    }

    /** A snapshot with the longest id, written in chunks of the largest size; read back before and after reopen. */
    static SnapshotMeta largestSnapshot(SnapshotStore store, OpLog ops) {
        final StringBuilder id = new StringBuilder();
        while (id.length() < SnapshotMeta.MAX_ID_LENGTH) {
            id.append((char) ('!' + id.length() % 94));
        }
        final SnapshotMeta meta = Snapshots.meta(id.toString(), 30, 300);
        final int chunk = RaftConfig.MAX_SNAPSHOT_CHUNK_BYTES;
        ops.add("begin(the longest id, " + id.length() + " characters)");
        final SnapshotSink sink = store.begin(meta);
        Snapshots.write(sink, 30, chunk, chunk, ops);
        Snapshots.write(sink, 30, 0, chunk, ops);
        Snapshots.write(sink, 30, 2L * chunk, 7, ops);
        Snapshots.finish(sink, ops).close();
        Snapshots.checkCurrent(store, meta, Snapshots.content(30, 0, 2 * chunk + 7), StorageContracts.LIMITS, ops);
        return meta;
    }

    /**
     * Probes every range precondition on both sides of its boundary: {@code termAt}, {@code read} and
     * {@code truncateFrom} just inside and just outside {@code [lastPurged, last]}.
     */
    static void boundaries(LogHarness h) {
        final long purged = h.modelPurged().index();
        final long last = h.modelLast().index();
        h.log.add("-- preconditions at purged " + purged + ", last " + last);
        if (purged > 0) {
            h.termAt(purged - 1);
        }
        h.termAt(purged);
        h.termAt(last);
        h.termAt(last + 1);
        h.read(purged, purged + 1, Integer.MAX_VALUE);
        h.read(purged + 1, last + 1, Integer.MAX_VALUE);
        h.read(last + 1, last + 1, Integer.MAX_VALUE);
        h.read(last + 1, last + 2, Integer.MAX_VALUE);
        h.read(purged + 2, purged + 1, Integer.MAX_VALUE);
        h.truncate(purged);
        h.truncate(last + 2);
        h.truncate(last + 1);
    }

    /** Two appends with two callbacks: each callback must be told of its entries. */
    static void everyCallbackTold(LogStore store, OpLog ops) throws InterruptedException {
        final Told first = new Told();
        final Told second = new Told();
        ops.add("append [1..5] with callback A; append [6..10] with callback B");
        store.append(Entries.batch(1, 1, 5), first);
        store.append(Entries.batch(1, 6, 5), second);
        final long deadline = System.nanoTime() + LogHarness.FLUSH_TIMEOUT_NANOS;
        long graceFrom = 0;
        while (first.highest() < 5 || second.highest() < 10) {
            final long now = System.nanoTime();
            if (graceFrom == 0 && Math.max(first.highest(), second.highest()) >= 10) {
                graceFrom = now; // entry 10 is known durable: the other callback is due now
            }
            if (now - deadline >= 0 || graceFrom != 0 && now - graceFrom >= CALLBACK_GRACE_NANOS) {
                break;
            }
            Thread.sleep(1);
        }
        ops.check(first.highest() >= 5, StorageContracts.FLUSH_EVERY_CALLBACK, "callback A of append [1..5] was told "
            + first.highest() + ", callback B of append [6..10] " + second.highest());
        ops.check(second.highest() >= 10, StorageContracts.FLUSH_EVERY_CALLBACK, "callback B of append [6..10] was told "
            + second.highest() + " (callback A: " + first.highest() + ")");
    }

    /** The highest index a callback was told, or 0. */
    private static final class Told implements FlushCallback {
        private volatile long highest;

        @Override
        public void onFlushed(long flushedIndex) {
            highest = Math.max(highest, flushedIndex);
        }

        long highest() {
            return highest;
        }
    }

    /**
     * For each fault the factory does not support: its reason and the cases it skips (or runs without the steps
     * that need it). Empty if every fault is supported.
     */
    static String faultReport(Class<?> suite, StorageFactory factory) {
        final StringBuilder report = new StringBuilder();
        final List<Method> methods = new ArrayList<>(Arrays.asList(suite.getMethods()));
        methods.sort((a, b) -> a.getName().compareTo(b.getName()));
        for (Fault fault : Fault.values()) {
            final Optional<String> reason = factory.unsupported(fault);
            if (reason.isEmpty()) {
                continue;
            }
            final List<String> skipped = new ArrayList<>();
            final List<String> partly = new ArrayList<>();
            for (Method m : methods) {
                final NeedsFault needs = m.getAnnotation(NeedsFault.class);
                if (needs != null && Arrays.asList(needs.value()).contains(fault)) {
                    (needs.partly() ? partly : skipped).add(m.getName());
                }
            }
            report.append(report.length() == 0 ? "" : "\n").append("fault ").append(fault).append(" unsupported (")
                .append(reason.get()).append("): skips ").append(skipped.isEmpty() ? "no case" : String.join(", ", skipped))
                .append(partly.isEmpty() ? "" : "; runs without its " + fault + " steps: " + String.join(", ", partly));
        }
        return report.toString();
    }
}
