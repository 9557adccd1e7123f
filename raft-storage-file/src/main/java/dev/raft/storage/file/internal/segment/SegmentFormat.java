package dev.raft.storage.file.internal.segment;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The on-disk format of log segments. All integers are little-endian.
 *
 * <p>Segment file {@code <firstIndex, 20 digits>.seg}, of a fixed size: a {@value #SEGMENT_HEADER_BYTES}-byte
 * header (magic int, version int, first index long, segment size int, reserved int, reserved int, CRC32C of
 * the 28 bytes before it) followed by records, then zeros.
 *
 * <p>Record: payload length (int), CRC32C (int), term (long), index (long), entry type (byte), payload. The
 * CRC covers the length and every byte after the CRC field. A record header of zeros marks the end of the
 * records.
 */
public final class SegmentFormat {
    /** Segment file magic: "RFSG". */
    public static final int SEGMENT_MAGIC = 0x47534652;
    /** Segment format version. */
    public static final int VERSION = 1;
    /** Bytes of the segment header. */
    public static final int SEGMENT_HEADER_BYTES = 32;
    /** Bytes of a record header. */
    public static final int RECORD_HEADER_BYTES = 25;
    /** File name suffix of segments. */
    public static final String SUFFIX = ".seg";

    /** Offset of the payload length in a record. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the CRC in a record. */
    public static final int CRC_OFFSET = 4;
    /** Offset of the term in a record. */
    public static final int TERM_OFFSET = 8;
    /** Offset of the index in a record. */
    public static final int INDEX_OFFSET = 16;
    /** Offset of the entry type in a record. */
    public static final int TYPE_OFFSET = 24;

    private static final int HEADER_CRC_OFFSET = 28;

    private SegmentFormat() {
    }

    /** The file name of the segment whose first index is {@code firstIndex}. */
    public static String fileName(long firstIndex) {
        return String.format("%020d%s", firstIndex, SUFFIX);
    }

    /** The first index named by a segment file name, or -1 if the name is not a segment's. */
    public static long parseFirstIndex(Path file) {
        final String name = file.getFileName().toString();
        if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < 20; i++) {
            final char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The largest payload a segment of {@code segmentSize} bytes can hold. */
    public static int maxPayload(int segmentSize) {
        return segmentSize - SEGMENT_HEADER_BYTES - RECORD_HEADER_BYTES;
    }

    /** Fills {@code dst} (positions 0..31, little-endian) with a segment header; leaves position 0, limit 32. */
    public static void encodeSegmentHeader(ByteBuffer dst, long firstIndex, int segmentSize, CRC32C crc) {
        dst.clear();
        dst.putInt(0, SEGMENT_MAGIC).putInt(4, VERSION).putLong(8, firstIndex).putInt(16, segmentSize)
            .putInt(20, 0).putInt(24, 0);
        dst.limit(HEADER_CRC_OFFSET);
        crc.reset();
        crc.update(dst);
        dst.limit(SEGMENT_HEADER_BYTES).position(0);
        dst.putInt(HEADER_CRC_OFFSET, (int) crc.getValue());
    }

    /**
     * Checks a segment header at {@code base} of {@code src} (little-endian).
     *
     * @return null if it is valid for {@code firstIndex}, else what is wrong
     */
    public static String checkSegmentHeader(ByteBuffer src, int base, long firstIndex, CRC32C crc) {
        if (src.limit() - base < SEGMENT_HEADER_BYTES) {
            return "segment header cut short (" + (src.limit() - base) + " of " + SEGMENT_HEADER_BYTES + " bytes)";
        }
        if (src.getInt(base) != SEGMENT_MAGIC) {
            return "bad segment magic 0x" + Integer.toHexString(src.getInt(base));
        }
        crc.reset();
        final int limit = src.limit();
        src.limit(base + HEADER_CRC_OFFSET).position(base);
        crc.update(src);
        src.limit(limit);
        if ((int) crc.getValue() != src.getInt(base + HEADER_CRC_OFFSET)) {
            return "segment header fails its CRC";
        }
        if (src.getInt(base + 4) != VERSION) {
            return "unknown segment format version " + src.getInt(base + 4);
        }
        if (src.getLong(base + 8) != firstIndex) {
            return "segment header names first index " + src.getLong(base + 8) + " but the file name says " + firstIndex;
        }
        return null;
    }

    /** Writes a record header at {@code at} of {@code dst} (the payload must already follow it) and its CRC. */
    public static void completeRecord(ByteBuffer dst, int at, long term, long index, int type, int payloadLength, CRC32C crc) {
        dst.putInt(at + LENGTH_OFFSET, payloadLength)
            .putLong(at + TERM_OFFSET, term)
            .putLong(at + INDEX_OFFSET, index)
            .put(at + TYPE_OFFSET, (byte) type);
        dst.putInt(at + CRC_OFFSET, recordCrc(dst, at, payloadLength, crc));
    }

    /**
     * The CRC of the record at {@code at} of {@code buf} with the given payload length: over the length
     * field and everything after the CRC field. Leaves the buffer's position and limit unchanged.
     */
    public static int recordCrc(ByteBuffer buf, int at, int payloadLength, CRC32C crc) {
        final int position = buf.position();
        final int limit = buf.limit();
        crc.reset();
        buf.limit(at + CRC_OFFSET).position(at + LENGTH_OFFSET);
        crc.update(buf);
        buf.limit(at + RECORD_HEADER_BYTES + payloadLength).position(at + TERM_OFFSET);
        crc.update(buf);
        buf.limit(limit).position(position);
        return (int) crc.getValue();
    }
}
