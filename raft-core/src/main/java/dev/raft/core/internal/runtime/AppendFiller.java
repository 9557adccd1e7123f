package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.storage.LogStore;
import dev.raft.core.internal.engine.replication.EntrySource;

/**
 * Fills AppendEntries for the engine from the entries appended in earlier events: the {@link EntryCache}
 * of recent entries, falling back to {@link LogStore#read} for older ones, under one byte limit.
 */
final class AppendFiller implements EntrySource {
    private final LogStore logStore;
    private final EntryCache cache;

    AppendFiller(LogStore logStore, EntryCache cache) {
        this.logStore = logStore;
        this.cache = cache;
    }

    @Override
    public int read(EntryBatch dst, long fromIndex, long toIndex, int maxBytes) {
        final int before = dst.size();
        long next = fromIndex;
        if (!cache.contains(fromIndex)) {
            final long storeEnd = cache.isEmpty() ? toIndex + 1 : Math.min(toIndex + 1, cache.firstIndex());
            next += logStore.read(fromIndex, storeEnd, maxBytes, dst);
        }
        if (next <= toIndex && dst.payloadBytes() < maxBytes) {
            cache.copyTo(dst, next, toIndex, maxBytes);
        }
        return dst.size() - before;
    }
}
