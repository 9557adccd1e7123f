package dev.raft.storage.file.internal.segment;

import dev.raft.storage.file.internal.StorageDirectory;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One open segment file and the in-memory index of its records: the byte boundaries of each record.
 *
 * <p>The writer thread appends records ({@link #addRecord}) and cuts them ({@link #truncateRecords}). Other
 * threads may read the index of records the writer has published through a volatile write elsewhere (the
 * log's last index): the writer fills a boundary before it publishes, and readers read the published
 * index before they read boundaries.
 */
public final class Segment {
    private static final int INITIAL_RECORDS = 1024;

    private final Path path;
    private final FileChannel channel;
    private final long firstIndex;
    private int[] boundaries;
    private int count;

    /**
     * @param path             the file
     * @param channel          the open channel (read and write)
     * @param firstIndex       the index of the first record
     * @param expectedRecords  a hint for the size of the index
     */
    public Segment(Path path, FileChannel channel, long firstIndex, int expectedRecords) {
        this(path, channel, firstIndex, expectedRecords, null);
    }

    /**
     * @param path             the file
     * @param channel          the open channel (read and write)
     * @param firstIndex       the index of the first record
     * @param expectedRecords  a hint for the size of the index
     * @param recycled         the index array of a deleted segment ({@link #releaseIndex}), used if it holds
     *                         {@code expectedRecords} records; null: a new one
     */
    public Segment(Path path, FileChannel channel, long firstIndex, int expectedRecords, int[] recycled) {
        this.path = path;
        this.channel = channel;
        this.firstIndex = firstIndex;
        final int length = indexLength(expectedRecords);
        this.boundaries = recycled != null && recycled.length >= length ? recycled : new int[length];
        this.boundaries[0] = SegmentFormat.SEGMENT_HEADER_BYTES;
    }

    /** The length of the index array for {@code expectedRecords} records. */
    public static int indexLength(int expectedRecords) {
        return Math.max(INITIAL_RECORDS, expectedRecords) + 1;
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /** The channel. */
    public FileChannel channel() {
        return channel;
    }

    /** The index of the first record (whether or not the segment holds any). */
    public long firstIndex() {
        return firstIndex;
    }

    /** The number of records. */
    public int count() {
        return count;
    }

    /** The index of the last record, or {@code firstIndex - 1} when empty. */
    public long lastIndex() {
        return firstIndex + count - 1;
    }

    /** The byte offset where the next record goes: the end of the last record. */
    public int end() {
        return boundaries[count];
    }

    /** The byte offset of record {@code index}. */
    public int start(long index) {
        return boundaries[(int) (index - firstIndex)];
    }

    /** The byte offset just after record {@code index}. */
    public int endOf(long index) {
        return boundaries[(int) (index - firstIndex) + 1];
    }

    /** Adds a record of {@code recordBytes} (header included) after the last one. Allocates only to grow. */
    public void addRecord(int recordBytes) {
        if (count + 2 > boundaries.length) {
            boundaries = Arrays.copyOf(boundaries, boundaries.length * 2);
        }
        boundaries[count + 1] = boundaries[count] + recordBytes;
        count++;
    }

    /** Shrinks the index to its records (for a sealed segment, which gets no more). */
    public void trim() {
        boundaries = Arrays.copyOf(boundaries, count + 2);
    }

    /** Keeps only the first {@code newCount} records. */
    public void truncateRecords(int newCount) {
        count = newCount;
    }

    /**
     * Gives up the index array, for a new segment to reuse ({@link SegmentAllocator#recycle}); only for a segment
     * closed and deleted, which no reader can reach any more. The segment is unusable afterwards.
     */
    public int[] releaseIndex() {
        final int[] index = boundaries;
        boundaries = null;
        count = 0;
        return index;
    }

    /** Closes the channel. */
    public void close() {
        StorageDirectory.closeQuietly(channel);
    }

    @Override
    public String toString() {
        return path.getFileName() + "[" + firstIndex + ".." + lastIndex() + ", " + end() + "B]";
    }
}
