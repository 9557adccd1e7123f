package dev.raft.storage.file.internal.segment;

import static dev.raft.storage.file.internal.segment.SegmentFormat.CRC_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.INDEX_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.LENGTH_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.RECORD_HEADER_BYTES;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TERM_OFFSET;
import static dev.raft.storage.file.internal.segment.SegmentFormat.TYPE_OFFSET;

import dev.raft.api.EntryType;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.agrona.IoUtil;

/**
 * Rebuilds a segment's index from its file on open: walks the records from the header on, checking each
 * one's length, CRC, index (consecutive), term (non-decreasing) and type, until the zero header that ends
 * them. Reports the first bad record and whether a valid record follows it, so that the log can tell a torn
 * tail (cut) from corruption (refused).
 */
public final class SegmentScanner {
    private SegmentScanner() {
    }

    /** Told of each valid record, in order. */
    @FunctionalInterface
    public interface RecordVisitor {
        /** A valid record. */
        void record(long index, long term);
    }

    /** What a scan found. */
    public static final class Result {
        /** The byte offset just after the last valid record. */
        public int recordsEnd;
        /** The byte offset just after the last non-zero byte of the file (at least {@link #recordsEnd}). */
        public int dataEnd;
        /** The size of the file. */
        public long fileSize;
        /** What is wrong at {@link #recordsEnd}, or null if the records end cleanly. */
        public String problem;
        /** The offset of a valid record after the bad one, or -1. */
        public int laterValidOffset = -1;
        /** The index of that later valid record. */
        public long laterValidIndex;
        /** The term of the last valid record, or the term before the segment if it holds none. */
        public long lastTerm;
        /** The header problem, or null if the header is valid. */
        public String headerProblem;
        /**
         * The last index named by the chain of record headers in the bad region (following their lengths
         * while each names the next index), or the first index after the valid records if none does.
         */
        public long droppedLastIndex;
    }

    /**
     * Scans {@code segment}, adding every valid record to its index.
     *
     * @param segment  the segment, with an empty index
     * @param prevTerm the term of the entry before the segment's first (0 if none)
     * @param visitor  told of each valid record
     * @param crc      a scratch checksum
     */
    public static Result scan(Segment segment, long prevTerm, RecordVisitor visitor, CRC32C crc) throws IOException {
        final Result result = new Result();
        final FileChannel channel = segment.channel();
        final long size = channel.size();
        result.fileSize = size;
        result.lastTerm = prevTerm;
        final int mapped = (int) Math.min(size, Integer.MAX_VALUE);
        final MappedByteBuffer buf = channel.map(FileChannel.MapMode.READ_ONLY, 0, mapped);
        try {
            buf.order(ByteOrder.LITTLE_ENDIAN);
            result.headerProblem = SegmentFormat.checkSegmentHeader(buf, 0, segment.firstIndex(), crc);
            if (result.headerProblem != null) {
                return result;
            }
            int pos = SegmentFormat.SEGMENT_HEADER_BYTES;
            long expected = segment.firstIndex();
            long term = prevTerm;
            while (pos + RECORD_HEADER_BYTES <= mapped && !isZero(buf, pos, pos + RECORD_HEADER_BYTES)) {
                final String problem = checkRecord(buf, pos, mapped, expected, term, crc);
                if (problem != null) {
                    result.problem = problem;
                    break;
                }
                final int length = buf.getInt(pos + LENGTH_OFFSET);
                term = buf.getLong(pos + TERM_OFFSET);
                segment.addRecord(RECORD_HEADER_BYTES + length);
                visitor.record(expected, term);
                expected++;
                pos += RECORD_HEADER_BYTES + length;
            }
            result.recordsEnd = pos;
            result.lastTerm = term;
            result.dataEnd = Math.max(pos, lastNonZero(buf, pos, mapped) + 1);
            if (result.problem == null && result.dataEnd > pos) {
                result.problem = "non-zero bytes after the last record (up to byte " + result.dataEnd + ")";
            }
            if (result.problem != null) {
                findLaterValidRecord(buf, result, expected, crc);
                result.droppedLastIndex = lastChainedIndex(buf, pos, result.dataEnd, expected);
            }
            return result;
        } finally {
            IoUtil.unmap(buf);
        }
    }

    private static String checkRecord(MappedByteBuffer buf, int pos, int limit, long expectedIndex, long prevTerm, CRC32C crc) {
        final int length = buf.getInt(pos + LENGTH_OFFSET);
        if (length < 0 || (long) pos + RECORD_HEADER_BYTES + length > limit) {
            return "bad record length " + length + " (" + (limit - pos - RECORD_HEADER_BYTES) + " bytes left in the file)";
        }
        if (SegmentFormat.recordCrc(buf, pos, length, crc) != buf.getInt(pos + CRC_OFFSET)) {
            return "record fails its CRC (length " + length + ", index field " + buf.getLong(pos + INDEX_OFFSET) + ")";
        }
        final long index = buf.getLong(pos + INDEX_OFFSET);
        if (index != expectedIndex) {
            return "record has index " + index + ", expected " + expectedIndex;
        }
        final long term = buf.getLong(pos + TERM_OFFSET);
        if (term <= 0 || term < prevTerm) {
            return "record " + index + " has term " + term + " after term " + prevTerm;
        }
        if (!EntryType.isKnownCode(buf.get(pos + TYPE_OFFSET))) {
            return "record " + index + " has unknown entry type " + buf.get(pos + TYPE_OFFSET);
        }
        return null;
    }

    private static void findLaterValidRecord(MappedByteBuffer buf, Result result, long expectedIndex, CRC32C crc) {
        final int limit = buf.limit();
        final long maxIndex = expectedIndex + (limit / RECORD_HEADER_BYTES) + 1;
        for (int p = result.recordsEnd + 1; p < result.dataEnd && p + RECORD_HEADER_BYTES <= limit; p++) {
            final long index = buf.getLong(p + INDEX_OFFSET);
            final int length = buf.getInt(p + LENGTH_OFFSET);
            if (index < expectedIndex || index > maxIndex || length < 0 || (long) p + RECORD_HEADER_BYTES + length > limit) {
                continue;
            }
            if (SegmentFormat.recordCrc(buf, p, length, crc) == buf.getInt(p + CRC_OFFSET)) {
                result.laterValidOffset = p;
                result.laterValidIndex = index;
                return;
            }
        }
    }

    private static long lastChainedIndex(MappedByteBuffer buf, int from, int dataEnd, long expected) {
        long last = expected;
        long next = expected;
        int p = from;
        while (p + RECORD_HEADER_BYTES <= buf.limit() && p < dataEnd && buf.getLong(p + INDEX_OFFSET) == next) {
            last = next;
            next++;
            final int length = buf.getInt(p + LENGTH_OFFSET);
            if (length < 0 || (long) p + RECORD_HEADER_BYTES + length > buf.limit()) {
                break;
            }
            p += RECORD_HEADER_BYTES + length;
        }
        return last;
    }

    private static boolean isZero(MappedByteBuffer buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int lastNonZero(MappedByteBuffer buf, int from, int to) {
        int i = to;
        while (i - 8 >= from) {
            if (buf.getLong(i - 8) != 0) {
                break;
            }
            i -= 8;
        }
        while (i > from) {
            if (buf.get(i - 1) != 0) {
                return i - 1;
            }
            i--;
        }
        return from - 1;
    }
}
