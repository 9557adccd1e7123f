package dev.raft.storage.file.internal;

import dev.raft.api.error.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A storage directory held exclusively through a lock file, with the file-system helpers every store
 * needs: directory fsync and zero-filling. Closing releases the lock.
 */
public final class StorageDirectory implements AutoCloseable {
    /** The name of the lock file inside a storage directory. */
    public static final String LOCK_FILE = "lock";

    private static final int ZERO_CHUNK = 64 * 1024;

    private final Path path;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StorageDirectory(Path path, FileChannel lockChannel, FileLock lock) {
        this.path = path;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Creates the directory if needed and locks it.
     *
     * @throws StorageException (fatal) if it cannot be created, or another process (or another store in
     *                          this process) holds the lock
     */
    public static StorageDirectory lock(Path path, String owner) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw StorageException.fatal(owner + ": cannot create directory " + path + ": " + e, e);
        }
        final Path lockFile = path.resolve(LOCK_FILE);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            final FileLock lock = channel.tryLock();
            if (lock == null) {
                throw StorageException.fatal(owner + ": directory " + path + " is locked by another process (lock file "
                    + lockFile + "); stop the other node or use another directory", null);
            }
            return new StorageDirectory(path, channel, lock);
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw StorageException.fatal(owner + ": directory " + path + " is already open by another store in this process"
                + " (lock file " + lockFile + ")", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw StorageException.fatal(owner + ": cannot lock " + lockFile + ": " + e, e);
        } catch (StorageException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** The directory. */
    public Path path() {
        return path;
    }

    /** Forces the directory itself, so that created, renamed and deleted entries are durable. */
    public void sync() throws IOException {
        syncDirectory(path);
    }

    /** Forces a directory's entries (Linux and macOS allow opening a directory for reading). */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Writes zeros over {@code [from, to)} of {@code channel} with positional writes from {@code zeros}, a
     * direct buffer of zeros (its content is never changed; only position and limit are).
     */
    public static void writeZeros(FileChannel channel, long from, long to, ByteBuffer zeros) throws IOException {
        long position = from;
        while (position < to) {
            final int n = (int) Math.min(zeros.capacity(), to - position);
            zeros.clear().limit(n);
            while (zeros.hasRemaining()) {
                position += channel.write(zeros, position);
            }
        }
    }

    /** A direct buffer of zeros for {@link #writeZeros}. */
    public static ByteBuffer zeroBuffer() {
        return ByteBuffer.allocateDirect(ZERO_CHUNK);
    }

    /** Writes all remaining bytes of {@code src} at {@code position}. */
    public static void writeFully(FileChannel channel, ByteBuffer src, long position) throws IOException {
        long p = position;
        while (src.hasRemaining()) {
            p += channel.write(src, p);
        }
    }

    /**
     * Reads from {@code position} until {@code dst} is full or the file ends.
     *
     * @return the bytes read
     */
    public static int readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        int total = 0;
        while (dst.hasRemaining()) {
            final int n = channel.read(dst, position + total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** Closes, ignoring errors (for cleanup on an error path). */
    public static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // cleanup after another error: that error is the one reported
            }
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases the lock too
        }
        closeQuietly(lockChannel);
    }
}
