package dev.raft.storage.file.internal.snapshot;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files in one directory. A snapshot is written into a temporary file ({@code *.tmp}, deleted on
 * open) and made current by {@link SnapshotSink#finish()}: header written, file forced, atomically renamed
 * to {@code snapshot-<sequence>.snap}, directory forced, and only then the previous file deleted. On open
 * the file with the highest sequence is current and older ones (left by a crash before their deletion)
 * are deleted. Thread-safe: the store's state is guarded by its monitor.
 */
public final class FileSnapshotStore implements SnapshotStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    private static final String PREFIX = "snapshot-";
    private static final String SUFFIX = ".snap";

    private final StorageDirectory directory;
    private final String name;
    private final Set<FileSnapshotSink> openSinks = new LinkedHashSet<>();
    private Path currentFile;
    private SnapshotMeta currentMeta;
    private long nextSequence;
    private long nextTemp;
    private boolean closed;
    private volatile boolean failNextWrite;
    private volatile boolean failNextFinish;

    private FileSnapshotStore(StorageDirectory directory) {
        this.directory = directory;
        this.name = "FileSnapshotStore(" + directory.path() + ")";
    }

    /**
     * Opens (creating if needed) the snapshot store in {@code directory}: deletes temporary files, finds
     * the current snapshot and deletes older ones.
     *
     * @throws CorruptStorageException if the newest snapshot file is not valid
     * @throws StorageException        if the directory is locked by another process, or on IO errors
     */
    public static FileSnapshotStore open(Path directory) {
        final StorageDirectory dir = StorageDirectory.lock(directory, "FileSnapshotStore");
        final FileSnapshotStore store = new FileSnapshotStore(dir);
        try {
            store.recover();
            return store;
        } catch (IOException e) {
            dir.close();
            throw StorageException.fatal(store.name + ": cannot open: " + e, e);
        } catch (RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    private void recover() throws IOException {
        final List<Path> finished = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory.path())) {
            for (Path f : files) {
                final String n = f.getFileName().toString();
                if (n.endsWith(".tmp")) {
                    LOG.info("{}: deleting unfinished snapshot file {}", name, f);
                    Files.delete(f);
                } else if (sequenceOf(f) >= 0) {
                    finished.add(f);
                }
            }
        }
        finished.sort(Comparator.comparingLong(FileSnapshotStore::sequenceOf));
        if (!finished.isEmpty()) {
            final Path newest = finished.get(finished.size() - 1);
            try (FileChannel ch = FileChannel.open(newest, StandardOpenOption.READ)) {
                currentMeta = SnapshotFile.readHeader(newest, ch).meta();
            }
            currentFile = newest;
            nextSequence = sequenceOf(newest) + 1;
            for (int i = 0; i < finished.size() - 1; i++) {
                LOG.info("{}: deleting superseded snapshot file {}", name, finished.get(i));
                Files.delete(finished.get(i));
            }
        }
        directory.sync();
    }

    static long sequenceOf(Path file) {
        final String n = file.getFileName().toString();
        if (!n.startsWith(PREFIX) || !n.endsWith(SUFFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public synchronized SnapshotSink begin(SnapshotMeta meta) {
        ensureOpen();
        if (meta == null) {
            throw new IllegalArgumentException("SnapshotStore.begin: meta is null");
        }
        final Path temp = directory.path().resolve("receive-" + (nextTemp++) + ".tmp");
        try {
            final FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            final FileSnapshotSink sink = new FileSnapshotSink(this, meta, temp, channel, SnapshotFile.headerBytes(meta));
            openSinks.add(sink);
            return sink;
        } catch (IOException e) {
            throw StorageException.retryable(name + ": cannot create " + temp + " for snapshot " + meta.snapshotId() + ": " + e, e);
        }
    }

    @Override
    public synchronized Optional<SnapshotReader> current() {
        ensureOpen();
        if (currentFile == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(FileSnapshotReader.open(currentFile));
        } catch (IOException e) {
            throw StorageException.retryable(name + ": cannot open " + currentFile + ": " + e, e);
        }
    }

    /** The meta of the current snapshot, if any. */
    public synchronized Optional<SnapshotMeta> currentMeta() {
        ensureOpen();
        return Optional.ofNullable(currentMeta);
    }

    /**
     * Makes a sink's forced temporary file current: checks it is not older than the current snapshot,
     * renames it into place, forces the directory, deletes the previous file, and returns a reader of the new
     * snapshot opened before the lock is released (so that a newer snapshot finished concurrently cannot
     * delete the file first).
     *
     * @throws IllegalStateException if the snapshot is older than the current one (nothing changed)
     * @throws StorageException      retryable if nothing changed; fatal if the snapshot is in place but not known
     *                               durable or readable, naming the file and the operation that failed
     */
    synchronized SnapshotReader install(FileSnapshotSink sink, Path temp) {
        ensureOpen();
        final SnapshotMeta meta = sink.meta();
        if (currentMeta != null && currentMeta.lastLogId().isNewerThan(meta.lastLogId())) {
            throw new IllegalStateException(name + ": snapshot " + meta.snapshotId() + " (last log id " + meta.lastLogId()
                + ") is older than the current snapshot " + currentMeta.snapshotId() + " (last log id "
                + currentMeta.lastLogId() + "); discarded");
        }
        final Path target = directory.path().resolve(String.format("%s%020d%s", PREFIX, nextSequence, SUFFIX));
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw StorageException.retryable(name + ": snapshot " + meta.snapshotId() + ": rename of " + temp + " to " + target
                + " failed; the previous snapshot is still current: " + e, e);
        }
        nextSequence++;
        final Path previous = currentFile;
        currentFile = target;
        currentMeta = meta;
        openSinks.remove(sink);
        String step = "force of directory " + directory.path() + " after renaming it into place";
        SnapshotReader reader = null;
        try {
            directory.sync();
            step = "opening of a reader";
            reader = FileSnapshotReader.open(target);
            if (previous != null) {
                step = "deletion of the previous snapshot file " + previous;
                Files.deleteIfExists(previous);
                directory.sync();
            }
            return reader;
        } catch (IOException e) {
            if (reader != null) {
                reader.close();
            }
            throw StorageException.fatal(name + ": snapshot " + meta.snapshotId() + " is current as " + target
                + ", but the " + step + " failed: " + e, e);
        }
    }

    /** Fault injection for tests: the next sink write fails with a retryable error before writing. */
    public void failNextWrite() {
        failNextWrite = true;
    }

    /** Fault injection for tests: the next sink finish fails before the snapshot becomes current. */
    public void failNextFinish() {
        failNextFinish = true;
    }

    /** Consumes an injected write fault. */
    boolean takeWriteFault() {
        final boolean f = failNextWrite;
        failNextWrite = false;
        return f;
    }

    /** Consumes an injected finish fault. */
    boolean takeFinishFault() {
        final boolean f = failNextFinish;
        failNextFinish = false;
        return f;
    }

    /**
     * Stops as in a crash: open sinks' channels are closed without deleting their temporary files, and the
     * lock is released so that the directory can be reopened in this process. For tests.
     */
    public void crash() {
        final List<FileSnapshotSink> sinks;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            sinks = new ArrayList<>(openSinks);
            openSinks.clear();
        }
        for (FileSnapshotSink sink : sinks) {
            sink.crash();
        }
        directory.close();
    }

    synchronized void forget(FileSnapshotSink sink) {
        openSinks.remove(sink);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    @Override
    public void close() {
        final List<FileSnapshotSink> sinks;
        synchronized (this) {
            if (closed) {
                return;
            }
            sinks = new ArrayList<>(openSinks);
        }
        for (FileSnapshotSink sink : sinks) {
            sink.abort();
        }
        synchronized (this) {
            closed = true;
            directory.close();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
