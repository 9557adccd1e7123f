package dev.raft.storage.file.internal.segment;

import dev.raft.api.error.StorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;

/**
 * Creates segment files. With preallocation, a background thread keeps one spare file of the segment
 * size filled with zeros and forced, so that rolling to a new segment costs a header write, a force, a
 * rename and a directory force on the writer's thread; without, files are created sparse.
 */
public final class SegmentAllocator implements AutoCloseable {
    /** The name of the spare file (a temporary file, deleted on open if left over). */
    public static final String SPARE_NAME = "spare.seg.tmp";

    private final Path directory;
    private final int segmentSize;
    private final boolean preallocate;
    private final ExecutorService executor;
    private final ByteBuffer header = ByteBuffer.allocateDirect(SegmentFormat.SEGMENT_HEADER_BYTES)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private Future<Path> spare;
    /** Index arrays of deleted segments, for the next segments to reuse (guarded by this). */
    private final int[][] recycled = new int[RECYCLED][];

    /** How many index arrays of deleted segments are kept for reuse. */
    private static final int RECYCLED = 2;

    /**
     * @param directory   the log directory
     * @param segmentSize the segment size
     * @param preallocate whether to preallocate spare files in the background
     * @param threadName  the name of the background thread
     */
    public SegmentAllocator(Path directory, int segmentSize, boolean preallocate, String threadName) {
        this.directory = directory;
        this.segmentSize = segmentSize;
        this.preallocate = preallocate;
        this.executor = preallocate ? Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Starts preparing a spare file, if preallocating and none is being prepared. */
    public void prepareSpare() {
        if (preallocate && spare == null) {
            spare = executor.submit(this::createSpare);
        }
    }

    private Path createSpare() throws IOException {
        final Path file = directory.resolve(SPARE_NAME);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            StorageDirectory.writeZeros(ch, 0, segmentSize, StorageDirectory.zeroBuffer());
            ch.force(true);
        }
        return file;
    }

    /**
     * Creates the segment whose first index is {@code firstIndex}: a file of the segment size with a valid
     * header, forced, under its final name, with the directory forced. Durable on return.
     */
    public Segment create(long firstIndex, int expectedRecords) {
        final Path target = directory.resolve(SegmentFormat.fileName(firstIndex));
        FileChannel channel = null;
        try {
            final Path file;
            if (preallocate) {
                prepareSpare();
                file = awaitSpare();
                spare = null;
            } else {
                file = directory.resolve(SPARE_NAME);
                Files.deleteIfExists(file);
            }
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            if (!preallocate) {
                channel.truncate(0);
                StorageDirectory.writeZeros(channel, segmentSize - 1, segmentSize, StorageDirectory.zeroBuffer());
            }
            SegmentFormat.encodeSegmentHeader(header, firstIndex, segmentSize, crc);
            StorageDirectory.writeFully(channel, header, 0);
            channel.force(true);
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            StorageDirectory.syncDirectory(directory);
            prepareSpare();
            return new Segment(target, channel, firstIndex, expectedRecords, takeRecycled(Segment.indexLength(expectedRecords)));
        } catch (IOException e) {
            StorageDirectory.closeQuietly(channel);
            throw preallocationFailed(target, e);
        }
    }

    /**
     * Keeps the index array of a deleted segment ({@link Segment#releaseIndex}) for a new segment to reuse, so that a
     * log which purges as it grows allocates no index per segment; the smallest kept array gives way to a larger one.
     */
    public synchronized void recycle(int[] index) {
        if (index == null) {
            return;
        }
        int smallest = 0;
        for (int i = 0; i < RECYCLED; i++) {
            if (recycled[i] == null) {
                recycled[i] = index;
                return;
            }
            if (recycled[i].length < recycled[smallest].length) {
                smallest = i;
            }
        }
        if (recycled[smallest].length < index.length) {
            recycled[smallest] = index;
        }
    }

    /** A kept index array of at least {@code length}, or null. */
    private synchronized int[] takeRecycled(int length) {
        for (int i = 0; i < RECYCLED; i++) {
            final int[] index = recycled[i];
            if (index != null && index.length >= length) {
                recycled[i] = null;
                return index;
            }
        }
        return null;
    }

    /**
     * Refuses a disk without room for the next segment, so that a nearly full disk is refused when the log is
     * opened, before anything is served; then (with preallocation) starts preparing the spare in the
     * background.
     *
     * @throws StorageException (fatal) "cannot preallocate segment FILE (SIZE): no space left on MOUNT (N usable)"
     */
    public void reserveNextSegment() {
        final Path file = directory.resolve(SPARE_NAME);
        final long usable;
        try {
            usable = Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            throw StorageException.fatal("cannot check the free space for segment " + file + " (" + sizeText(segmentSize)
                + "): " + e, e);
        }
        if (usable < segmentSize) {
            throw StorageException.fatal("cannot preallocate segment " + file + " (" + sizeText(segmentSize)
                + "): no space left on " + mountOf(directory) + " (" + sizeText(usable) + " usable)", null);
        }
        prepareSpare();
    }

    /** One line: the file, the size, and "no space left on MOUNT" when that is the cause. */
    private StorageException preallocationFailed(Path file, IOException e) {
        final String why = isNoSpace(e) ? "no space left on " + mountOf(directory) : e.toString();
        return StorageException.fatal("cannot preallocate segment " + file + " (" + sizeText(segmentSize) + "): " + why, e);
    }

    /** Whether {@code e} (or a cause) is ENOSPC, "No space left on device". */
    public static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** The mount (file store) holding {@code path}, as "MOUNT_POINT (DEVICE)", or the path if unknown. */
    public static String mountOf(Path path) {
        try {
            return Files.getFileStore(path).toString();
        } catch (IOException e) {
            return path.toString();
        }
    }

    private static String sizeText(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }

    /** Waits until the spare file being prepared (if any) is ready; for benchmarks that must not measure it. */
    public void awaitSpareReady() {
        if (spare != null) {
            try {
                awaitSpare();
            } catch (IOException e) {
                spare = null;
                throw preallocationFailed(directory.resolve(SPARE_NAME), e);
            }
        }
    }

    private Path awaitSpare() throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return spare.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    spare = null;
                    final Throwable cause = e.getCause();
                    throw cause instanceof IOException io ? io : new IOException("spare segment preallocation failed", cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the background thread and waits for it; a spare file may be left (deleted on the next open). */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw StorageException.fatal("segment preallocation thread did not stop within 10 s in " + directory, null);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
