package dev.raft.storage.file.internal.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Shared helpers for the log tests: deterministic entries, a recording callback, small configs. */
public final class LogFixtures {
    private LogFixtures() {
    }

    /** A small config: 4 KiB segments (so tests roll), fsync. */
    public static FileStorageConfig small() {
        return FileStorageConfig.builder().segmentSizeBytes(4096).writeBufferBytes(4096).readBufferBytes(4096).build();
    }

    /** A small config without fsync. */
    public static FileStorageConfig smallNoFsync() {
        return small().toBuilder().durabilityMode(DurabilityMode.NO_FSYNC).build();
    }

    /** The payload of entry {@code index}: deterministic, length varying with the index (0..~100 bytes). */
    public static byte[] payload(long index) {
        return Payloads.of(index);
    }

    /** A batch of entries {@code [from, to]} with the given term and {@link #payload} payloads. */
    public static EntryBatch batch(long from, long to, long term) {
        final EntryBatch b = new EntryBatch(1024);
        for (long i = from; i <= to; i++) {
            b.add(term, i, i % 7 == 0 ? EntryType.BLANK : EntryType.NORMAL, payload(i));
        }
        return b;
    }

    /** Reads every entry {@code [from, to]} one call at a time. */
    public static List<Entry> readAll(LogStore log, long from, long to) {
        final List<Entry> out = new ArrayList<>();
        final EntryBatch dst = new EntryBatch();
        long next = from;
        while (next <= to) {
            dst.clear();
            final int n = log.read(next, to + 1, 64 * 1024, dst);
            assertTrue(n > 0, "read of [" + next + ", " + (to + 1) + ") returned nothing");
            for (int i = 0; i < n; i++) {
                out.add(dst.entry(i).toEntry());
            }
            next += n;
        }
        return out;
    }

    /** Asserts that entries {@code [from, to]} hold their {@link #payload} payloads with term {@code term}. */
    public static void assertEntries(LogStore log, long from, long to, long term) {
        final List<Entry> entries = readAll(log, from, to);
        assertEquals(to - from + 1, entries.size());
        for (Entry e : entries) {
            assertEquals(term, e.term(), "term of " + e.index());
            assertArrayEquals(payload(e.index()), e.data(), "payload of " + e.index());
        }
    }

    /** Records flush reports and checks they strictly increase. */
    public static final class Recorder implements FlushCallback {
        private final List<Long> reports = new ArrayList<>();
        private long last = -1;
        private String error;

        @Override
        public synchronized void onFlushed(long flushedIndex) {
            if (flushedIndex <= last && error == null) {
                error = "report " + flushedIndex + " after " + last;
            }
            last = flushedIndex;
            reports.add(flushedIndex);
            notifyAll();
        }

        /** The last report, or -1. */
        public synchronized long last() {
            return last;
        }

        /** Every report so far. */
        public synchronized List<Long> reports() {
            return new ArrayList<>(reports);
        }

        /** Resets the monotonicity check (after a truncation). */
        public synchronized void resetAfterTruncation() {
            last = -1;
        }

        /** Waits (at most 10 s) until a report of at least {@code index}. */
        public synchronized void await(long index) {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (last < index) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("no flush report of " + index + " within 10 s; last " + last);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
            if (error != null) {
                fail(error);
            }
        }
    }
}
