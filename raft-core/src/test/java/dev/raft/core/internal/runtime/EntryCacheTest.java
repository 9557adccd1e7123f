package dev.raft.core.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The runtime's entry cache: batching bound in bytes, truncation, trimming. */
class EntryCacheTest {
    private static EntryCache cacheOf(int entries, int payloadBytes) {
        final EntryBatch batch = new EntryBatch();
        for (int i = 1; i <= entries; i++) {
            batch.add(1, i, EntryType.NORMAL, new byte[payloadBytes]);
        }
        final EntryCache cache = new EntryCache(1024, 4, Integer.MAX_VALUE);
        cache.append(batch, 0, batch.size());
        return cache;
    }

    @Test
    void appendEntriesAreBoundedByBytesButCarryAtLeastOneEntry() {
        final EntryCache cache = cacheOf(10, 100);
        final EntryBatch dst = new EntryBatch();
        assertEquals(3, cache.copyTo(dst, 2, 10, 350));
        assertEquals(2, dst.firstIndex());
        assertEquals(300, dst.payloadBytes());
        dst.clear();
        assertEquals(1, cache.copyTo(dst, 5, 10, 10), "an entry larger than the bound still goes alone");
        dst.clear();
        assertEquals(2, cache.copyTo(dst, 9, 20, 1 << 20), "up to the last cached entry");
    }

    @Test
    void truncationAndTrimmingKeepTheCacheContiguous() {
        final EntryCache cache = cacheOf(10, 8);
        cache.truncateFrom(8);
        assertEquals(7, cache.lastIndex());
        cache.trimBelow(3); // 2 dead entries: below the minimum worth a copy
        assertEquals(1, cache.firstIndex());
        cache.trimBelow(6);
        assertEquals(6, cache.firstIndex());
        assertFalse(cache.contains(5));
        assertTrue(cache.contains(7));
        assertEquals(7, cache.entry(7).index());
        final EntryBatch next = new EntryBatch().add(2, 9, EntryType.NORMAL, new byte[1]);
        cache.append(next, 0, 1); // a gap: the cache restarts at 9
        assertEquals(9, cache.firstIndex());
        assertEquals(9, cache.lastIndex());
    }

    @Test
    void theCacheIsBoundedByBytesDroppingTheOldestEntries() {
        final EntryCache cache = new EntryCache(1024, 4, 10_000);
        final EntryBatch batch = new EntryBatch();
        for (int i = 1; i <= 300; i++) {
            batch.clear().add(1, i, EntryType.NORMAL, new byte[100]);
            cache.append(batch, 0, 1);
            assertTrue(cache.payloadBytes() <= 10_000, "holds " + cache.payloadBytes() + " bytes at entry " + i);
        }
        assertEquals(300, cache.lastIndex(), "the newest entries stay");
        assertTrue(cache.firstIndex() > 200, "the oldest were dropped: first " + cache.firstIndex());
        final EntryBatch huge = new EntryBatch().add(1, 301, EntryType.NORMAL, new byte[20_000]);
        cache.append(huge, 0, 1);
        assertEquals(301, cache.firstIndex(), "an entry larger than the bound is kept alone");
    }

    /**
     * A busy cache reserves its working size once (both batches), instead of doubling its way there during the first
     * minutes of load: the bench's node threads allocated ~44 B per message at 10,000/s while the cache grew.
     */
    @Test
    void aBusyCacheReservesItsWorkingSizeOnceAndThenNeverGrowsWithinIt() {
        final int retain = 8192;
        final int perAppend = 100;
        final EntryCache cache = new EntryCache(1 << 20, 1024, Integer.MAX_VALUE, 2 * retain + 2 * perAppend);
        final EntryBatch batch = new EntryBatch();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long next = 1;
        long before = 0;
        for (int round = 0; round < 1000; round++) {
            if (next > EntryCache.RESERVE_AFTER_ENTRIES + perAppend && before == 0) {
                before = threads.getThreadAllocatedBytes(thread); // the reservation is behind us
            }
            batch.clear();
            for (int i = 0; i < perAppend; i++) {
                batch.add(1, next++, EntryType.NORMAL, payload, 0, payload.capacity());
            }
            cache.append(batch, 0, perAppend);
            cache.trimBelow(next - retain);
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(next - 1, cache.lastIndex());
        assertTrue(cache.lastIndex() - cache.firstIndex() + 1 >= retain, "the retained window is kept");
        // one doubling of the entry arrays past 16,384 entries alone would allocate 320 KiB (2.3 MB in all without the
        // reservation); what remains is the test's own bookkeeping
        assertTrue(allocated < 200 * 1024, "allocated " + allocated + " bytes after the reservation");
    }
}
