package dev.raft.api.storage;

/**
 * Told when appended entries have become durable. Implemented by the node; called by the store.
 */
@FunctionalInterface
public interface FlushCallback {
    /**
     * Every entry with index {@code <= flushedIndex} that the store holds is durable.
     *
     * <p>May be called from any thread, must not block and must not call back into the store.
     * Calls for one store come one at a time, with {@code flushedIndex} strictly increasing between
     * two truncations (see {@link LogStore#truncateFrom(long)}).
     */
    void onFlushed(long flushedIndex);
}
