package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.segment.SegmentFormat.CRC_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.INDEX_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.LENGTH_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.RECORD_HEADER_BYTES;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TERM_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TYPE_OFFSET;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.Segment;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads entries from the segments into an {@link EntryBatch}, checking each record's length, CRC and index: many
 * records per positional read, into a buffer of each reader thread's own. The caller holds the store's read lock,
 * so the segments do not change under it.
 */
final class LogReader {
    private final ThreadLocal<ReadContext> readContexts;

    /** Each reader thread's buffer starts at {@code readBufferBytes} and grows to the largest record it reads. */
    LogReader(int readBufferBytes) {
        readContexts = ThreadLocal.withInitial(() -> new ReadContext(readBufferBytes));
    }

    /**
     * Adds entries {@code [fromIndex, toIndexExclusive)} of {@code segs} to {@code dst}, stopping once
     * {@code maxBytes} of payload are copied (at least one entry is); returns how many were added. The range must
     * be held by {@code segs}.
     */
    int read(Segment[] segs, long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst) throws IOException {
        final ReadContext ctx = readContexts.get();
        int copied = 0;
        long bytes = 0;
        long index = fromIndex;
        while (index < toIndexExclusive && (copied == 0 || bytes < maxBytes)) {
            final Segment seg = segs[find(segs, index)];
            final long runEnd = Math.min(toIndexExclusive - 1, seg.lastIndex());
            final int start = seg.start(index);
            // choose records [index, j] that fit the buffer and the byte budget
            long j = index;
            long budget = bytes + seg.endOf(index) - seg.start(index) - RECORD_HEADER_BYTES;
            ctx.ensureCapacity(seg.endOf(index) - start);
            while (j < runEnd && budget < maxBytes && seg.endOf(j + 1) - start <= ctx.buffer.capacity()) {
                j++;
                budget += seg.endOf(j) - seg.start(j) - RECORD_HEADER_BYTES;
            }
            final int end = seg.endOf(j);
            final ByteBuffer buf = ctx.buffer;
            buf.clear().limit(end - start);
            final int n = StorageDirectory.readFully(seg.channel(), buf, start);
            if (n < end - start) {
                throw new CorruptStorageException(seg.path().toString(), start + n, "file ends before record "
                    + (index + (j - index)) + " does");
            }
            int at = 0;
            for (long i = index; i <= j; i++) {
                final int length = buf.getInt(at + LENGTH_OFFSET);
                final int recordBytes = seg.endOf(i) - seg.start(i);
                if (length != recordBytes - RECORD_HEADER_BYTES
                    || SegmentFormat.recordCrc(buf, at, length, ctx.crc) != buf.getInt(at + CRC_OFFSET)
                    || buf.getLong(at + INDEX_OFFSET) != i) {
                    throw new CorruptStorageException(seg.path().toString(), start + at, "record " + i
                        + " fails its length, CRC or index check on read");
                }
                dst.add(buf.getLong(at + TERM_OFFSET), i, EntryType.fromCode(buf.get(at + TYPE_OFFSET)), ctx.view,
                    at + RECORD_HEADER_BYTES, length);
                at += recordBytes;
                bytes += length;
                copied++;
            }
            index = j + 1;
        }
        return copied;
    }

    /** The position in {@code segs} (non-empty, ordered by first index) of the segment holding {@code index}. */
    static int find(Segment[] segs, long index) {
        int lo = 0;
        int hi = segs.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (segs[mid].firstIndex() <= index) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** A reader thread's buffer, view and checksum. */
    private static final class ReadContext {
        private final CRC32C crc = new CRC32C();
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private ByteBuffer buffer;

        ReadContext(int capacity) {
            buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
            view.wrap(buffer);
        }

        void ensureCapacity(int bytes) {
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
                view.wrap(buffer);
            }
        }
    }
}
