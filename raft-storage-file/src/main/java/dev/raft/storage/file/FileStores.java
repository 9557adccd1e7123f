package dev.raft.storage.file;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.internal.log.FileLogStore;
import dev.raft.storage.file.internal.snapshot.FileSnapshotStore;
import java.nio.file.Path;

/**
 * Opens the file stores without Guice. A storage directory holds {@value #LOG_DIR}/ (segments, vote, purge
 * point) and {@value #SNAPSHOT_DIR}/ (snapshot files); each is locked by the store that opens it, so a
 * second process (or a second store in this one) opening the same directory is refused.
 */
public final class FileStores {
    /** The log's subdirectory. */
    public static final String LOG_DIR = "log";
    /** The snapshot store's subdirectory. */
    public static final String SNAPSHOT_DIR = "snapshots";

    private FileStores() {
    }

    /**
     * Opens (creating if needed) the log store in {@code directory}/{@value #LOG_DIR}, recovering it.
     *
     * @throws dev.raft.api.error.CorruptStorageException naming file and byte offset if the log is corrupt
     * @throws dev.raft.api.error.StorageException        if the directory is locked or on IO errors
     */
    public static LogStore openLogStore(Path directory, FileStorageConfig config) {
        return openLogStore(directory, config, new StorageStats());
    }

    /**
     * Opens the log store as {@link #openLogStore(Path, FileStorageConfig)} does, recording the latency of its forces
     * into {@code stats}.
     */
    public static LogStore openLogStore(Path directory, FileStorageConfig config, StorageStats stats) {
        return FileLogStore.open(directory.resolve(LOG_DIR), config, stats::recordForce);
    }

    /**
     * Opens (creating if needed) the snapshot store in {@code directory}/{@value #SNAPSHOT_DIR}.
     *
     * @throws dev.raft.api.error.CorruptStorageException if the current snapshot file is corrupt
     * @throws dev.raft.api.error.StorageException        if the directory is locked or on IO errors
     */
    public static SnapshotStore openSnapshotStore(Path directory) {
        return FileSnapshotStore.open(directory.resolve(SNAPSHOT_DIR));
    }
}
