package dev.raft.examples.server;

import dev.raft.storage.file.FileStorageConfig;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks made before a server starts anything, so that it fails with one clear line rather than half-started. */
public final class StartupChecks {
    /** Head room beyond the preallocated segments: identity, vote and lock files, a snapshot's first bytes. */
    static final long MARGIN_BYTES = 1024 * 1024;

    private StartupChecks() {
    }

    /**
     * Refuses to start when the file system of {@code dataDir} cannot hold the segments the log preallocates (the
     * active one and one spare) plus a small margin.
     *
     * @throws StartupException (exit code 74) naming the directory, the mount, what is needed and what is usable
     */
    public static void checkSpace(Path dataDir, FileStorageConfig storage) {
        final long segments = storage.preallocate() ? 2L * storage.segmentSizeBytes() : 0;
        final long needed = segments + MARGIN_BYTES;
        Path existing = dataDir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        final long usable;
        final FileStore store;
        try {
            store = Files.getFileStore(existing);
            usable = store.getUsableSpace();
        } catch (IOException e) {
            return; // the node's own open reports an unusable directory with its operation
        }
        if (usable < needed) {
            throw new StartupException(ExitCode.IO_ERROR, "no space left for data directory " + dataDir + " on " + store
                + ": the log preallocates " + (segments > 0 ? "2 segments of " + mib(storage.segmentSizeBytes()) : "nothing")
                + " and needs " + mib(needed) + ", " + mib(usable) + " usable (free space, or lower storage.segmentSizeBytes)");
        }
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
