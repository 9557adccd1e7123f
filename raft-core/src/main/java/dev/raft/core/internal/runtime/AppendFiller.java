package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.storage.LogStore;
import dev.raft.core.internal.engine.replication.EntrySource;

/**
 * Fills AppendEntries for the engine from the entries appended in earlier events: the {@link EntryCache}
 * of recent entries, falling back to {@link LogStore#read} for older ones, under one byte limit (the
 * {@code ByteLimit} rule: the entry that would take the payload past {@code maxBytes} waits for the next
 * message, and a message carries at least one entry; {@code LogStore.read} includes that entry, so it is
 * dropped again here).
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
            next += logStore.read(fromIndex, storeEnd, maxBytes - dst.payloadBytes(), dst);
            if (dst.payloadBytes() > maxBytes && dst.size() > 1) {
                // the store includes the entry that crosses its limit: it waits for the next message
                dst.truncate(dst.size() - 1);
                next--;
            }
        }
        if (next <= toIndex && dst.payloadBytes() < maxBytes) {
            cache.copyTo(dst, next, toIndex, maxBytes);
        }
        return dst.size() - before;
    }
}
