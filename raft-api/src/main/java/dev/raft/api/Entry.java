package dev.raft.api;

import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An immutable log entry, for tests, tools and cold paths. The hot path uses {@link EntryView} and
 * {@link EntryBatch}, which do not allocate.
 *
 * @param term    the term, {@code > 0}
 * @param index   the index, {@code > 0}
 * @param type    the type
 * @param data    the payload bytes; not copied, do not modify them after construction
 */
public record Entry(long term, long index, EntryType type, byte[] data) implements EntryView {
    /**
     * @throws IllegalArgumentException if term or index is not positive, or type or payload is null
     */
    public Entry {
        if (term <= 0 || index <= 0) {
            throw new IllegalArgumentException("Entry: term and index must be > 0, got term=" + term + " index=" + index);
        }
        if (type == null || data == null) {
            throw new IllegalArgumentException("Entry " + term + "-" + index + ": type and data must not be null");
        }
    }

    /** A blank entry. */
    public static Entry blank(long term, long index) {
        return new Entry(term, index, EntryType.BLANK, new byte[0]);
    }

    /** A normal entry carrying a command. */
    public static Entry normal(long term, long index, byte[] command) {
        return new Entry(term, index, EntryType.NORMAL, command);
    }

    /** A membership entry. */
    public static Entry membership(long term, long index, Membership membership) {
        return new Entry(term, index, EntryType.MEMBERSHIP, membership.encode());
    }

    @Override
    public DirectBuffer payload() {
        return new UnsafeBuffer(data);
    }

    @Override
    public int payloadLength() {
        return data.length;
    }

    @Override
    public Entry toEntry() {
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.term == term && e.index == index && e.type == type
            && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return (int) (31 * (31 * term + index) + Arrays.hashCode(data));
    }

    /** Id, type, payload length and a CRC32C digest of the payload, so that two different payloads print differently. */
    @Override
    public String toString() {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(data);
        return "Entry{" + term + "-" + index + " " + type + " " + data.length + "B crc32c " + String.format("%08x", crc.getValue())
            + "}";
    }
}
