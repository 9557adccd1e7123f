package dev.raft.core.internal.engine.replication;

import dev.raft.api.EntryBatch;

/**
 * Where the leader reads log entries it appended in earlier events, to fill an AppendEntries (etcd-raft's
 * {@code Storage.Entries}): the runtime's entry cache with the log store behind it. A read, never a side
 * effect: the engine calls it while handling an event.
 */
public interface EntrySource {
    /**
     * Adds the entries from {@code fromIndex} up to at most {@code toIndex} to {@code dst}, stopping before
     * the entry that would take {@code dst}'s payload bytes past {@code maxBytes} (at least one entry when
     * {@code dst} is empty).
     *
     * @return the number of entries added
     */
    int read(EntryBatch dst, long fromIndex, long toIndex, int maxBytes);
}
