package dev.raft.storage.file.internal.log;

import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.Segment;
import dev.raft.storage.file.internal.segment.SegmentAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * The segment files of a log, oldest first, the last one active (appended to): rolling to a new segment, cutting
 * the log at an index, deleting purged segments, and the simulated loss of what a crash did not flush. The array
 * is replaced, never changed, and published through a volatile field, so readers and the flusher see a whole set;
 * the writer changes it under the store's locks.
 */
final class LogSegments {
    private final StorageDirectory directory;
    private final SegmentAllocator allocator;
    private final int segmentSizeBytes;
    private final boolean fsync;
    private final ByteBuffer zeros;
    private volatile Segment[] segments;
    private Segment active;

    /** The recovered {@code segments}; new ones come from {@code allocator}, forced when full if {@code fsync}. */
    LogSegments(StorageDirectory directory, SegmentAllocator allocator, int segmentSizeBytes, boolean fsync,
                ByteBuffer zeros, Segment[] segments) {
        this.directory = directory;
        this.allocator = allocator;
        this.segmentSizeBytes = segmentSizeBytes;
        this.fsync = fsync;
        this.zeros = zeros;
        this.segments = segments;
        this.active = segments.length == 0 ? null : segments[segments.length - 1];
    }

    /** The segments as they are now, oldest first; callable from any thread. */
    Segment[] all() {
        return segments;
    }

    /** The segment appended to, or null when the log holds no entry (writer thread). */
    Segment active() {
        return active;
    }

    /** Starts a new active segment whose first entry is {@code firstIndex}. */
    void roll(long firstIndex) throws IOException {
        if (active != null && fsync) {
            // a segment is complete and durable before the next one exists: only the last one can be torn
            active.channel().force(false);
        }
        // size the new segment's index like the previous one (+1/8), or for 64-byte records if none
        final int expected = active == null || active.count() == 0
            ? segmentSizeBytes / 64 : active.count() + active.count() / 8 + 1024;
        final Segment seg = allocator.create(firstIndex, expected);
        final Segment[] current = segments;
        final Segment[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = seg;
        segments = next;
        active = seg;
    }

    /** Removes entry {@code index} (which a segment holds) and every later one, durably; its segment becomes active. */
    void truncateFrom(long index) throws IOException {
        final Segment[] segs = segments;
        final int k = LogReader.find(segs, index);
        boolean deleted = false;
        for (int j = segs.length - 1; j > k; j--) {
            segs[j].close();
            Files.delete(segs[j].path());
            deleted = true;
        }
        if (deleted) {
            directory.sync();
        }
        final Segment seg = segs[k];
        final int cut = seg.start(index);
        final int end = seg.end();
        seg.truncateRecords((int) (index - seg.firstIndex()));
        StorageDirectory.writeZeros(seg.channel(), cut, end, zeros);
        seg.channel().force(false);
        segments = Arrays.copyOf(segs, k + 1);
        active = seg;
        recycle(segs, k + 1, segs.length);
    }

    /**
     * Deletes the segments whose entries are all at or below {@code upTo}, or every segment if {@code wholeLog}
     * (then none is active).
     */
    void purgeTo(long upTo, boolean wholeLog) throws IOException {
        final Segment[] segs = segments;
        int remove = 0;
        while (remove < segs.length && (segs[remove].lastIndex() <= upTo || wholeLog)) {
            segs[remove].close();
            Files.delete(segs[remove].path());
            remove++;
        }
        if (remove > 0) {
            directory.sync();
        }
        segments = Arrays.copyOfRange(segs, remove, segs.length);
        if (wholeLog) {
            active = null;
        }
        recycle(segs, 0, remove);
    }

    /**
     * Hands the index arrays of deleted segments {@code segs[from, to)} to the allocator for new segments to reuse.
     * Called under the store's write lock once they left the published set, so no reader can reach them.
     */
    private void recycle(Segment[] segs, int from, int to) {
        for (int j = from; j < to; j++) {
            allocator.recycle(segs[j].releaseIndex());
        }
    }

    /** As a machine crash may: zeroes every entry after {@code keep} or deletes its segment (for tests). */
    void dropAfter(long keep) throws IOException {
        final Segment[] segs = segments;
        for (int k = segs.length - 1; k >= 0; k--) {
            final Segment seg = segs[k];
            if (seg.firstIndex() > keep + 1) {
                seg.close();
                Files.delete(seg.path());
            } else if (seg.lastIndex() > keep) {
                StorageDirectory.writeZeros(seg.channel(), seg.start(keep + 1), seg.end(), zeros);
            }
        }
    }

    /** Closes every segment's file. */
    void closeAll() {
        for (Segment s : segments) {
            s.close();
        }
    }
}
