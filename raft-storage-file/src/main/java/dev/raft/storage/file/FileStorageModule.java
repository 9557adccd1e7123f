package dev.raft.storage.file;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Binds {@link LogStore} and {@link SnapshotStore} to the file stores in one directory (see
 * {@link FileStores}), as singletons opened on first use, and {@link StorageStats} to the log store's force timings.
 */
public final class FileStorageModule extends AbstractModule {
    private final Path directory;
    private final FileStorageConfig config;

    /** File storage in {@code directory} with the default configuration. */
    public FileStorageModule(Path directory) {
        this(directory, FileStorageConfig.defaults());
    }

    /** File storage in {@code directory} with {@code config}. */
    public FileStorageModule(Path directory, FileStorageConfig config) {
        this.directory = Objects.requireNonNull(directory, "FileStorageModule: directory");
        this.config = Objects.requireNonNull(config, "FileStorageModule: config");
    }

    /** The log store, opened (and recovered) on first injection. */
    @Provides
    @Singleton
    public LogStore logStore(StorageStats stats) {
        return FileStores.openLogStore(directory, config, stats);
    }

    /** The latency of the log store's forces, for metrics. */
    @Provides
    @Singleton
    public StorageStats storageStats() {
        return new StorageStats();
    }

    /** The snapshot store, opened on first injection. */
    @Provides
    @Singleton
    public SnapshotStore snapshotStore() {
        return FileStores.openSnapshotStore(directory);
    }
}
