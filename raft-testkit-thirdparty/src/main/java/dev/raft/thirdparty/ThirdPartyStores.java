package dev.raft.thirdparty;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.storage.file.FileStores;
import java.nio.file.Path;

/**
 * The third party's stores: the file stores opened through their exported API only ({@link FileStores}),
 * with small segments so that the suite's cases roll over several files.
 */
public final class ThirdPartyStores {
    /** 16 KiB segments, 8 KiB buffers. */
    public static final FileStorageConfig CONFIG = FileStorageConfig.builder().segmentSizeBytes(16 * 1024)
        .writeBufferBytes(8 * 1024).readBufferBytes(8 * 1024).build();

    private ThirdPartyStores() {
    }

    /** The same without preallocation (segments created sparse): cheaper to open, for the many simulated nodes. */
    public static final FileStorageConfig SPARSE = CONFIG.toBuilder().preallocate(false).build();

    /** Opens the log store kept under {@code dir}. */
    public static LogStore openLog(Path dir) {
        return FileStores.openLogStore(dir, CONFIG);
    }

    /** Opens the log store kept under {@code dir} with {@link #SPARSE} segments. */
    public static LogStore openSparseLog(Path dir) {
        return FileStores.openLogStore(dir, SPARSE);
    }

    /** Opens the snapshot store kept under {@code dir}. */
    public static SnapshotStore openSnapshots(Path dir) {
        return FileStores.openSnapshotStore(dir);
    }
}
