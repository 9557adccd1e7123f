package dev.raft.testkit.conformance;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@link StorageFactory} for stores that keep their state in files: the kit injects every {@link Fault}
 * itself, through a {@link FaultInjectingFileSystem} that owns the directories it hands to the store, so
 * the store needs no test hooks and the binding needs none of its internals.
 *
 * <p>The store must do its file IO through {@code java.nio.file} on the paths it is given ({@code
 * FileChannel.open}, {@code Files.*}, streams from {@code Files}), never through {@code java.io.File}
 * ({@code Path.toFile()} throws on these paths) or writable memory mappings (refused). Its durability is
 * judged by the layer's model: written data is durable once its file is forced; file creation, rename and
 * deletion are durable at once.
 *
 * <pre>{@code
 * class MyStoreConformanceTest extends StorageConformanceSuite {
 *     @Override
 *     protected StorageFactory factory() {
 *         return FileStoreFactory.of(dir -> MyLogStore.open(dir), dir -> MySnapshotStore.open(dir));
 *     }
 * }
 * }</pre>
 */
public abstract class FileStoreFactory implements StorageFactory {
    private final FaultInjectingFileSystem fs = FaultInjectingFileSystem.create();
    private int maxEntryBytes = dev.raft.api.config.RaftConfig.MAX_BYTES_PER_APPEND;

    /** Opens a store on a directory (a path of the fault-injecting layer). */
    @FunctionalInterface
    public interface Opener<S> {
        /** Opens the store kept in {@code dir}. */
        S open(Path dir) throws Exception;
    }

    /** A factory from two openers, with every fault supported. */
    public static FileStoreFactory of(Opener<? extends LogStore> log, Opener<? extends SnapshotStore> snapshots) {
        return new FileStoreFactory() {
            @Override
            protected LogStore openLog(Path dir) throws Exception {
                return log.open(dir);
            }

            @Override
            protected SnapshotStore openSnapshots(Path dir) throws Exception {
                return snapshots.open(dir);
            }
        };
    }

    /** Opens the log store kept in {@code dir}, a path of {@link #fileSystem()}. */
    protected abstract LogStore openLog(Path dir) throws Exception;

    /** Opens the snapshot store kept in {@code dir}, a path of {@link #fileSystem()}. */
    protected abstract SnapshotStore openSnapshots(Path dir) throws Exception;

    /** Declares the largest entry payload the stores keep (see {@link StorageFactory#maxEntryBytes()}); returns this. */
    public final FileStoreFactory withMaxEntryBytes(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("FileStoreFactory.withMaxEntryBytes: " + bytes + " is not positive");
        }
        maxEntryBytes = bytes;
        return this;
    }

    @Override
    public int maxEntryBytes() {
        return maxEntryBytes;
    }

    /** The layer the stores run on (to inject a fault by hand, or to check that the store's IO goes through it). */
    public final FaultInjectingFileSystem fileSystem() {
        return fs;
    }

    @Override
    public final LogStore openLogStore(Path dir) throws Exception {
        return openLog(fs.wrap(dir));
    }

    @Override
    public final SnapshotStore openSnapshotStore(Path dir) throws Exception {
        return openSnapshots(fs.wrap(dir));
    }

    /** Every fault is supported; override to declare one unsupported (the suite then lists the cases it skips). */
    @Override
    public Optional<String> unsupported(Fault fault) {
        return Optional.empty();
    }

    /** Kills the directory's channels, undoes every unforced write, then closes the dead store (its IO fails). */
    @Override
    public void crash(LogStore store, Path dir) throws Exception {
        crash(store, dir, false);
    }

    @Override
    public void crash(SnapshotStore store, Path dir) throws Exception {
        crash(store, dir, false);
    }

    /** As {@link #crash(LogStore, Path)}, keeping the first half of the oldest unforced write (a torn tail). */
    @Override
    public void crashTearingUnflushed(LogStore store, Path dir) throws Exception {
        crash(store, dir, true);
    }

    /** The next write through the layer fails with an IOException ("No space left on device"). */
    @Override
    public void failNextSnapshotWrite(SnapshotStore store) {
        fs.failNextWrite();
    }

    /** The next force through the layer fails, so the finish cannot make the snapshot durable. */
    @Override
    public void failNextSnapshotFinish(SnapshotStore store) {
        fs.failNextForce();
    }

    private void crash(AutoCloseable store, Path dir, boolean tear) throws Exception {
        final Path real = fs.unwrap(fs.wrap(dir));
        fs.crash(real, tear);
        try {
            store.close();
        } catch (Exception | Error deadStore) {
            // the crashed store's IO fails; closing it only stops its threads and frees its memory
        } finally {
            fs.thaw(real);
        }
    }

    @Override
    public String toString() {
        return getClass().getName() + " on " + fs;
    }
}
