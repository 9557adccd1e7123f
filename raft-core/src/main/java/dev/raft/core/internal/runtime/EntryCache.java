package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryView;
import dev.raft.core.internal.engine.replication.ByteLimit;

/**
 * The node thread's copy of the most recent log entries, so that filling AppendEntries and applying
 * committed entries rarely read the log store. Holds a contiguous range {@code [firstIndex, lastIndex]};
 * older entries are trimmed once applied (amortized: the kept suffix is copied into a spare batch when the
 * dead prefix is at least half of the cache), and readers of older entries fall back to the store.
 * The cache is bounded by bytes too: past its bound the oldest entries are dropped.
 * Allocation-free once both batches reached their working size. Node thread only.
 */
public final class EntryCache {
    private EntryBatch entries;
    private EntryBatch spare;
    private final int minTrimEntries;
    private final int maxHeldBytes;
    /** How many entries the cache holds at most in steady state (reserved at once once it is busy), 0: none. */
    private final int workingEntries;
    private boolean reserved;

    /**
     * @param initialPayloadBytes payload room before the batches grow
     * @param minTrimEntries      the fewest dead entries worth a trim
     * @param maxBytes            the most payload bytes held: beyond, the oldest entries are dropped until at
     *                            most half of it is held (readers fall back to the store)
     */
    public EntryCache(int initialPayloadBytes, int minTrimEntries, int maxBytes) {
        this(initialPayloadBytes, minTrimEntries, maxBytes, 0);
    }

    /**
     * A cache that, once it holds more than {@value #RESERVE_AFTER_ENTRIES} entries (a busy node), makes room for
     * {@code workingEntries} in both its batches at once, so that it reaches its working size in one step instead of
     * doubling (and copying) its way there during the first minutes of load.
     *
     * @param workingEntries the most entries held in steady state (the retained window and the dead prefix a trim
     *                       waits for); 0 to grow only by doubling
     */
    public EntryCache(int initialPayloadBytes, int minTrimEntries, int maxBytes, int workingEntries) {
        this.entries = new EntryBatch(initialPayloadBytes);
        this.spare = new EntryBatch(initialPayloadBytes);
        this.minTrimEntries = minTrimEntries;
        this.maxHeldBytes = maxBytes;
        this.workingEntries = workingEntries;
    }

    /** A cache holding more entries than this is busy: it reserves its working size. */
    static final int RESERVE_AFTER_ENTRIES = 4096;

    /** The payload bytes held. */
    public int payloadBytes() {
        return entries.payloadBytes();
    }

    /** Whether nothing is cached. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The first cached index, or 0 when empty. */
    public long firstIndex() {
        return entries.firstIndex();
    }

    /** The last cached index, or 0 when empty. */
    public long lastIndex() {
        return entries.lastIndex();
    }

    /** Whether {@code index} is cached. */
    public boolean contains(long index) {
        return !entries.isEmpty() && index >= entries.firstIndex() && index <= entries.lastIndex();
    }

    /** The entry at {@code index} (must be {@link #contains cached}); the view is valid until the cache changes. */
    public EntryView entry(long index) {
        return entries.entry((int) (index - entries.firstIndex()));
    }

    /** Appends {@code src[from, to)}; if it does not follow the cached range, the cache restarts with it. */
    public void append(EntryBatch src, int from, int to) {
        if (from >= to) {
            return;
        }
        if (!entries.isEmpty() && src.index(from) != entries.lastIndex() + 1) {
            entries.clear();
        }
        if (!reserved && workingEntries > 0 && entries.size() + (to - from) > RESERVE_AFTER_ENTRIES) {
            entries.reserveEntries(workingEntries);
            spare.reserveEntries(workingEntries);
            reserved = true;
        }
        entries.addAll(src, from, to);
        if (entries.payloadBytes() > maxHeldBytes) {
            // keep the newest entries holding at most half the bound (at least the last one)
            int keepFrom = 0;
            while (keepFrom < entries.size() - 1
                && entries.payloadBytes() - entries.payloadOffset(keepFrom) > maxHeldBytes / 2) {
                keepFrom++;
            }
            keepFrom(keepFrom);
        }
    }

    /** Removes {@code index} and every later index. */
    public void truncateFrom(long index) {
        if (entries.isEmpty() || index > entries.lastIndex()) {
            return;
        }
        entries.truncate((int) Math.max(0, index - entries.firstIndex()));
    }

    /**
     * Copies cached entries from {@code fromIndex} up to {@code toIndex} into {@code dst}, stopping before
     * the payload bytes in {@code dst} would exceed {@code maxBytes} (at least one entry when {@code dst} is
     * empty).
     *
     * @return the number of entries copied
     */
    public int copyTo(EntryBatch dst, long fromIndex, long toIndex, int maxBytes) {
        if (!contains(fromIndex)) {
            return 0;
        }
        final long last = Math.min(toIndex, entries.lastIndex());
        return ByteLimit.copy(dst, entries, (int) (fromIndex - entries.firstIndex()),
            (int) (last - entries.firstIndex()), maxBytes);
    }

    /** Allows entries below {@code keepFrom} to be dropped; drops them when that is worth a copy. */
    public void trimBelow(long keepFrom) {
        if (entries.isEmpty()) {
            return;
        }
        final long dead = Math.min(keepFrom, entries.lastIndex() + 1) - entries.firstIndex();
        if (dead < minTrimEntries || dead * 2 < entries.size()) {
            return;
        }
        keepFrom((int) dead);
    }

    /** Drops the entries before position {@code position}. */
    private void keepFrom(int position) {
        spare.clear();
        spare.addAll(entries, position, entries.size());
        final EntryBatch swap = entries;
        entries = spare;
        spare = swap;
        spare.clear();
    }

    /** Empties the cache. */
    public void clear() {
        entries.clear();
    }
}
