package dev.raft.testkit.conformance;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A file system that injects the faults of a machine crash and of a failing disk into any store that does
 * its IO through {@code java.nio.file} ({@code Files}, {@code FileChannel.open}, {@code Files.newOutputStream}
 * and friends) on the paths it is given: no access to the store's internals is needed.
 *
 * <p>It wraps the default file system. Paths from {@link #wrap(Path)} lead to the same real files, and
 * every channel opened on them is a recording layer over a real channel:
 * <ul>
 *   <li><b>durability model</b>: the data written to a file is durable once {@code force} is called on a
 *       channel of that file; until then the layer keeps what it overwrote. Creating, renaming and deleting
 *       files count as durable at once (a store must still force a file before renaming it into place, and
 *       should force the directory, which the layer accepts).</li>
 *   <li>{@link #crash(Path, boolean)}: every channel under a directory dies (each later operation on it,
 *       and every file operation under the directory, throws {@code IOException} until {@link #thaw(Path)}),
 *       its locks are released, and every write not yet forced is undone, newest first, so that the files
 *       hold exactly what was durable. With {@code tear}, the oldest unforced write keeps its first half
 *       (a torn write that reached the disk partly).</li>
 *   <li>{@link #failNextWrite()} and {@link #failNextForce()}: the next write (or force) anywhere fails
 *       with an {@code IOException} saying "No space left on device" (injected), writing nothing.</li>
 * </ul>
 * A store that writes through memory-mapped buffers or {@code java.io.File} escapes the layer: declare
 * the faults unsupported (see {@link StorageFactory#unsupported(Fault)}).
 */
public final class FaultInjectingFileSystem extends FileSystem {
    private final FileSystem real;
    private final FaultyFileSystemProvider provider;
    /** Writes not yet forced, oldest first. Guarded by {@code this}. */
    private final List<Undo> pending = new ArrayList<>();
    private final Set<FaultyFileChannel> channels = new HashSet<>();
    private final Set<Path> frozen = new HashSet<>();
    private boolean failNextWrite;
    private boolean failNextForce;
    private long writes;
    private long forces;

    private FaultInjectingFileSystem(FileSystem real) {
        this.real = real;
        this.provider = new FaultyFileSystemProvider(this, real.provider());
    }

    /** A new fault-injecting layer over the default file system. */
    public static FaultInjectingFileSystem create() {
        return new FaultInjectingFileSystem(java.nio.file.FileSystems.getDefault());
    }

    /** {@code realPath} seen through this layer: pass it to the store under test. */
    public Path wrap(Path realPath) {
        if (realPath instanceof FaultyPath p) {
            return wrap(p.real());
        }
        return new FaultyPath(this, realPath.toAbsolutePath());
    }

    /** The real path behind a path of this layer. */
    public Path unwrap(Path path) {
        return FaultyPath.unwrap(this, path);
    }

    /** Makes the next write on any channel of this layer fail with an IOException ("No space left on device"). */
    public synchronized void failNextWrite() {
        failNextWrite = true;
    }

    /** Makes the next force on any channel of this layer fail with an IOException, forcing nothing. */
    public synchronized void failNextForce() {
        failNextForce = true;
    }

    /** How many writes went through the layer (to tell a store that bypasses it). */
    public synchronized long writes() {
        return writes;
    }

    /** How many forces went through the layer. */
    public synchronized long forces() {
        return forces;
    }

    /**
     * Crashes every file under {@code realDir}: channels die, locks are released, unforced writes are undone
     * (with {@code tear}, the oldest one keeps its first half). File operations under the directory keep
     * failing until {@link #thaw(Path)}, so that the crashed store can be closed without touching the disk.
     *
     * @return how many unforced writes were undone
     */
    public synchronized int crash(Path realDir, boolean tear) throws IOException {
        final Path dir = realDir.toAbsolutePath();
        frozen.add(dir);
        for (Iterator<FaultyFileChannel> it = channels.iterator(); it.hasNext();) {
            final FaultyFileChannel c = it.next();
            if (c.home().startsWith(dir) || c.path() != null && c.path().startsWith(dir)) {
                c.die();
                it.remove();
            }
        }
        final List<Undo> undo = new ArrayList<>();
        for (Iterator<Undo> it = pending.iterator(); it.hasNext();) {
            final Undo u = it.next();
            if (u.file.startsWith(dir)) {
                undo.add(u);
                it.remove();
            }
        }
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).apply(tear && i == 0);
        }
        return undo.size();
    }

    /** Lets file operations under {@code realDir} work again (after {@link #crash}). */
    public synchronized void thaw(Path realDir) {
        frozen.remove(realDir.toAbsolutePath());
    }

    // ------------------------------------------------------------------ used by the layer's channels and provider

    synchronized void checkAlive(Path realPath) throws IOException {
        for (Path dir : frozen) {
            if (realPath.toAbsolutePath().startsWith(dir)) {
                throw new IOException("crashed (fault-injecting file system): " + realPath);
            }
        }
    }

    synchronized void opened(FaultyFileChannel channel) {
        channels.add(channel);
    }

    synchronized void closed(FaultyFileChannel channel) {
        channels.remove(channel);
    }

    /** Records what a write of {@code length} bytes at {@code position} overwrites, then performs it. */
    synchronized int write(FaultyFileChannel channel, long position, int length, IoCall<Integer> write) throws IOException {
        channel.checkAlive();
        if (failNextWrite) {
            failNextWrite = false;
            throw new IOException("No space left on device (injected by the fault-injecting file system) writing "
                + length + " bytes at " + position + " of " + channel.path());
        }
        writes++;
        if (channel.path() != null && length > 0) {
            pending.add(Undo.capture(channel.real(), channel.path(), position, length));
        }
        return write.call();
    }

    synchronized void truncate(FaultyFileChannel channel, long size) throws IOException {
        channel.checkAlive();
        final long old = channel.real().size();
        if (channel.path() != null && size < old) {
            pending.add(Undo.capture(channel.real(), channel.path(), size, (int) Math.min(Integer.MAX_VALUE, old - size)));
        }
        channel.real().truncate(size);
    }

    synchronized void force(FaultyFileChannel channel, boolean metaData) throws IOException {
        channel.checkAlive();
        if (failNextForce) {
            failNextForce = false;
            throw new IOException("No space left on device (injected by the fault-injecting file system) forcing "
                + channel.path());
        }
        forces++;
        channel.real().force(metaData);
        if (channel.path() != null) {
            pending.removeIf(u -> u.file.equals(channel.path()));
        }
    }

    synchronized void moved(Path from, Path to) {
        pending.removeIf(u -> u.file.equals(to));
        for (Undo u : pending) {
            if (u.file.equals(from)) {
                u.file = to;
            }
        }
        for (FaultyFileChannel c : channels) {
            if (from.equals(c.path())) {
                c.path(to);
            } else if (to.equals(c.path())) {
                c.path(null);
            }
        }
    }

    synchronized void deleted(Path file) {
        pending.removeIf(u -> u.file.equals(file));
        for (FaultyFileChannel c : channels) {
            if (file.equals(c.path())) {
                c.path(null);
            }
        }
    }

    /** An IO call that may throw. */
    @FunctionalInterface
    interface IoCall<T> {
        T call() throws IOException;
    }

    /** What one unforced write (or truncation) changed: the bytes it overwrote and the size before. */
    private static final class Undo {
        Path file;
        final long position;
        final byte[] old;
        final long oldSize;
        final int length;

        private Undo(Path file, long position, byte[] old, long oldSize, int length) {
            this.file = file;
            this.position = position;
            this.old = old;
            this.oldSize = oldSize;
            this.length = length;
        }

        static Undo capture(FileChannel channel, Path file, long position, int length) throws IOException {
            final long size = channel.size();
            final int held = (int) Math.max(0, Math.min(length, size - position));
            final ByteBuffer old = ByteBuffer.allocate(held);
            try {
                readFully(channel, old, position);
            } catch (java.nio.channels.NonReadableChannelException writeOnly) {
                try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
                    readFully(reader, old.clear(), position);
                }
            }
            return new Undo(file, position, old.array(), size, length);
        }

        private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
            while (dst.hasRemaining()) {
                if (channel.read(dst, position + dst.position()) < 0) {
                    break;
                }
            }
        }

        /** Puts the overwritten bytes back and the size; a torn undo keeps the first half of the write. */
        void apply(boolean tear) throws IOException {
            final int kept = tear ? length / 2 : 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                if (old.length > kept) {
                    final ByteBuffer b = ByteBuffer.wrap(old, kept, old.length - kept);
                    long at = position + kept;
                    while (b.hasRemaining()) {
                        at += ch.write(b, at);
                    }
                }
                final long size = Math.max(oldSize, position + kept);
                if (ch.size() > size) {
                    ch.truncate(size);
                }
            } catch (NoSuchFileException gone) {
                // deleted after the write: nothing to undo
            }
        }
    }

    // ------------------------------------------------------------------ FileSystem

    @Override
    public java.nio.file.spi.FileSystemProvider provider() {
        return provider;
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("the fault-injecting file system stays open");
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public String getSeparator() {
        return real.getSeparator();
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        final List<Path> roots = new ArrayList<>();
        for (Path p : real.getRootDirectories()) {
            roots.add(new FaultyPath(this, p));
        }
        return roots;
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        return real.getFileStores();
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        return real.supportedFileAttributeViews();
    }

    @Override
    public Path getPath(String first, String... more) {
        return new FaultyPath(this, real.getPath(first, more));
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        final PathMatcher m = real.getPathMatcher(syntaxAndPattern);
        return path -> m.matches(path instanceof FaultyPath p ? p.real() : path);
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        return real.getUserPrincipalLookupService();
    }

    @Override
    public WatchService newWatchService() {
        throw new UnsupportedOperationException("the fault-injecting file system has no watch service");
    }

    @Override
    public String toString() {
        return "FaultInjectingFileSystem";
    }
}
