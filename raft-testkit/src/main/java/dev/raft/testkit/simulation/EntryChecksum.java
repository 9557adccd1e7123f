package dev.raft.testkit.simulation;

import java.util.zip.CRC32C;
import org.agrona.DirectBuffer;

/** The CRC32C of a log entry's type and payload, what the invariants compare entries by. One thread at a time. */
final class EntryChecksum {
    private final CRC32C crc = new CRC32C();
    private byte[] scratch = new byte[256];

    /** The checksum of an entry of type ordinal {@code type} whose payload is {@code payload[offset, offset+length)}. */
    long of(DirectBuffer payload, int offset, int length, int type) {
        if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
        }
        crc.reset();
        crc.update(type);
        payload.getBytes(offset, scratch, 0, length);
        crc.update(scratch, 0, length);
        return crc.getValue();
    }
}
