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

    /**
     * The store can no longer make appended entries durable (for example a failed force on its flusher
     * thread): the node stops (fail-stop). May be called from any thread, at most once per failure; must not
     * block. A store that cannot report on its own thread throws the fatal error from its next call instead.
     */
    default void onFailed(dev.raft.api.error.StorageException error) {
    }
}
