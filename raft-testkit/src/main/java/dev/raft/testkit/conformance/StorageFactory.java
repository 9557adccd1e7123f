package dev.raft.testkit.conformance;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens the stores under test for {@link StorageConformanceSuite}, and injects the faults it can.
 *
 * <p>The suite gives each store its own directory, which exists and is empty on the first open. It reopens
 * a store by calling the open method again with the same directory, after {@code close()} or after
 * {@link #crash}. At most one log store and one snapshot store are open on a directory at a time.
 *
 * <p>Fault injection is optional: a method a factory cannot support keeps its default (which throws
 * {@link UnsupportedOperationException}), and {@link #unsupported(Fault)} says why, so that the suite
 * skips the cases that need it and reports the reason.
 */
public interface StorageFactory {
    /**
     * Opens the log store kept in {@code dir}: empty on the first call, else what survived the last close
     * or crash.
     */
    LogStore openLogStore(Path dir) throws Exception;

    /** Opens the snapshot store kept in {@code dir}, as {@link #openLogStore} does. */
    SnapshotStore openSnapshotStore(Path dir) throws Exception;

    /**
     * The largest entry payload the stores keep, which the suite appends, reads and reopens. The default is
     * the most a node may send in one message ({@link dev.raft.api.config.RaftConfig#MAX_BYTES_PER_APPEND});
     * declare less only if your store is configured so (and configure the node's {@code maxBytesPerAppend} to match).
     */
    default int maxEntryBytes() {
        return dev.raft.api.config.RaftConfig.MAX_BYTES_PER_APPEND;
    }

    /**
     * Why this factory cannot inject {@code fault}, or empty if it can. The default declares every fault
     * unsupported; override it together with the methods of the faults you support.
     */
    default Optional<String> unsupported(Fault fault) {
        return Optional.of(getClass().getName() + " does not support fault " + fault
            + " (StorageFactory.unsupported(Fault) not overridden)");
    }

    /**
     * Stops {@code store} as if its process died now ({@link Fault#CRASH}): no more of its code runs (no
     * force, no flush callback, no cleanup), and {@code dir} keeps what a crash would leave (at least every
     * durable write; unforced writes may be dropped or kept). The suite then reopens {@code dir}.
     * For a file store, this typically closes its channels without forcing, releases its lock and
     * optionally truncates what was written after the last force.
     */
    default void crash(LogStore store, Path dir) throws Exception {
        throw new UnsupportedOperationException(unsupported(Fault.CRASH).orElse("crash(LogStore) not implemented"));
    }

    /** Stops {@code store} as if its process died now ({@link Fault#CRASH}), as {@link #crash(LogStore, Path)}. */
    default void crash(SnapshotStore store, Path dir) throws Exception {
        throw new UnsupportedOperationException(unsupported(Fault.CRASH).orElse("crash(SnapshotStore) not implemented"));
    }

    /**
     * Like {@link #crash(LogStore, Path)}, but leaves a partly written entry after the durable ones (for
     * example by truncating the log file in the middle of the first unforced record, or appending garbage
     * after the last forced one) ({@link Fault#TORN_CRASH}).
     */
    default void crashTearingUnflushed(LogStore store, Path dir) throws Exception {
        throw new UnsupportedOperationException(unsupported(Fault.TORN_CRASH).orElse("crashTearingUnflushed not implemented"));
    }

    /**
     * Makes the next {@link dev.raft.api.storage.SnapshotSink#write} on {@code store} fail with a retryable
     * {@link dev.raft.api.error.StorageException} ({@link Fault#SNAPSHOT_WRITE_FAILURE}).
     */
    default void failNextSnapshotWrite(SnapshotStore store) throws Exception {
        throw new UnsupportedOperationException(unsupported(Fault.SNAPSHOT_WRITE_FAILURE)
            .orElse("failNextSnapshotWrite not implemented"));
    }

    /**
     * Makes the next {@link dev.raft.api.storage.SnapshotSink#finish()} on {@code store} fail with a
     * {@link dev.raft.api.error.StorageException} before the snapshot becomes current
     * ({@link Fault#SNAPSHOT_FINISH_FAILURE}).
     */
    default void failNextSnapshotFinish(SnapshotStore store) throws Exception {
        throw new UnsupportedOperationException(unsupported(Fault.SNAPSHOT_FINISH_FAILURE)
            .orElse("failNextSnapshotFinish not implemented"));
    }
}
