package dev.raft.api.storage;

import dev.raft.api.SnapshotMeta;
import java.util.Optional;

/**
 * Durable snapshot files of one node.
 *
 * <p>A snapshot is written through a {@link SnapshotSink} (for a snapshot built locally or received
 * from a leader), invisible until {@link SnapshotSink#finish()} makes it durable and current. At any
 * instant, a crash leaves either the previous current snapshot or the new one, never a partial one.
 *
 * <p>Threading: any thread may call any method; a sink and a reader are each used by one thread at a time.
 */
public interface SnapshotStore extends AutoCloseable {
    /**
     * Begins a new snapshot. Several sinks may be open at once (a local build and a received stream);
     * whichever finishes last becomes current, unless it is older than the current one (by last log
     * id), in which case its {@code finish} throws {@link IllegalStateException} and it is discarded.
     *
     * @throws dev.raft.api.error.StorageException if the temporary file cannot be created
     */
    SnapshotSink begin(SnapshotMeta meta);

    /**
     * The current snapshot: the last one finished, durable. Reopening the store returns the same one.
     * The caller closes the reader.
     */
    Optional<SnapshotReader> current();

    /** Closes the store; open sinks are aborted. Idempotent. */
    @Override
    void close();
}
