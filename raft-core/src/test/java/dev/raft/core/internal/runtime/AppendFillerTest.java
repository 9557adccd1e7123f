package dev.raft.core.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;

import org.junit.jupiter.api.Test;

/**
 * Issue #11 item 5: an AppendEntries never carries more than {@code maxBytesPerAppend} payload bytes, for a
 * lagging follower whose entries come from the log store (whose {@code read} includes the entry that
 * crosses its limit) as well as from the cache; a message always carries at least one entry.
 */
class AppendFillerTest {
    private static final int MAX = 1 << 20;

    /** A log store as the SPI describes {@code read}: the entry that reaches the limit is included. */
    private static final class ListLogStore implements LogStore {
        final EntryBatch entries = new EntryBatch();

        @Override
        public int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) {
            int copied = 0;
            long bytes = 0;
            for (long i = fromIndex; i < toIndexExclusive && bytes < maxBytes; i++) {
                final int pos = (int) (i - entries.firstIndex());
                dst.addAll(entries, pos, pos + 1);
                bytes += entries.payloadLength(pos);
                copied++;
            }
            return copied;
        }

        @Override
        public LogId lastLogId() {
            return LogId.of(1, entries.lastIndex());
        }

        @Override
        public LogId lastPurgedLogId() {
            return LogId.NONE;
        }

        @Override
        public long termAt(long index) {
            return 1;
        }

        @Override
        public void append(EntryBatch batch, FlushCallback callback) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void truncateFrom(long index) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void purgeUpTo(LogId upTo) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void saveVote(Vote vote) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Vote readVote() {
            return Vote.INITIAL;
        }

        @Override
        public void close() {
        }
    }

    /** Entries 1..20 of {@code size} bytes in the store, 11..20 also in the cache. */
    private static AppendFiller filler(int size) {
        final ListLogStore store = new ListLogStore();
        for (int i = 1; i <= 20; i++) {
            store.entries.add(1, i, EntryType.NORMAL, new byte[size]);
        }
        final EntryCache cache = new EntryCache(1024, 4, Integer.MAX_VALUE);
        cache.append(store.entries, 10, 20);
        return new AppendFiller(store, cache);
    }

    @Test
    void maximumSizeEntriesFromTheStoreGoOnePerMessage() {
        final AppendFiller filler = filler(MAX);
        for (long from = 1; from <= 20; from++) {
            final EntryBatch dst = new EntryBatch();
            assertEquals(1, filler.read(dst, from, 20, MAX), "entry " + from);
            assertEquals(from, dst.firstIndex());
            assertEquals(MAX, dst.payloadBytes());
        }
    }

    @Test
    void theEntryThatWouldCrossTheLimitWaitsForTheNextMessage() {
        final int size = MAX / 2 + 1; // two of them exceed the limit
        final AppendFiller filler = filler(size);
        for (long from : new long[] {1, 9, 10, 11}) {
            final EntryBatch dst = new EntryBatch();
            assertEquals(1, filler.read(dst, from, 20, MAX), "from " + from);
            assertTrue(dst.payloadBytes() <= MAX, dst::toString);
        }
        final AppendFiller small = filler(MAX / 4);
        final EntryBatch dst = new EntryBatch();
        assertEquals(4, small.read(dst, 8, 20, MAX), "8, 9, 10 from the store, 11 from the cache");
        assertEquals(MAX, dst.payloadBytes());
    }
}
