package dev.raft.examples.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a running node holds on its whole data directory: an OS file lock on {@value #FILE}, which holds the
 * owner's pid so that a second server on the same directory is told which process has it.
 */
final class DirectoryLock implements AutoCloseable {
    /** The lock file in every data directory. */
    static final String FILE = "raftkv.pid";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code dir} if needed and locks it for this process.
     *
     * @throws DataDirectoryException naming the pid holding it, or the operation that was refused
     */
    static DirectoryLock acquire(Path dir) {
        final Path file = dir.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new DataDirectoryException("data directory " + dir + " is already in use by another node of this process", e);
            }
            if (lock == null) {
                throw new DataDirectoryException("data directory " + dir + " is locked by pid " + owner(channel)
                    + " (lock file " + file + "): stop that server or use another directory", null);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new DirectoryLock(channel, lock);
        } catch (AccessDeniedException e) {
            closeQuietly(channel);
            throw new DataDirectoryException("permission denied: cannot create or lock " + e.getFile()
                + " (data directory " + dir + ")", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new DataDirectoryException("cannot lock data directory " + dir + " (" + file + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static String owner(FileChannel channel) throws IOException {
        final ByteBuffer buf = ByteBuffer.allocate(32);
        channel.read(buf, 0);
        final String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        return pid.isEmpty() ? "(unknown)" : pid;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing: the original error is the one to report
            }
        }
    }

    /** Releases the lock (the file stays: the next owner overwrites the pid). */
    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the OS releases the lock with the process anyway
        }
    }
}
