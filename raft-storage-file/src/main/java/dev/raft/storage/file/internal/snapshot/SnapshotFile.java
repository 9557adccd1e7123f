package dev.raft.storage.file.internal.snapshot;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The format of a snapshot file: a header, then the snapshot's bytes. All integers little-endian.
 *
 * <p>Header: magic (int), version (int), data length (long), CRC32C of the data (int), meta length (int),
 * meta, CRC32C of everything before it (int). Meta: id length (int), id (ASCII), last log id term (long) and index (long), membership
 * length (int), {@link Membership#encode()}. The data starts right after the header.
 */
final class SnapshotFile {
    static final int MAGIC = 0x50534652; // "RFSP"
    static final int VERSION = 1;
    private static final int FIXED = 24;

    private SnapshotFile() {
    }

    /** The bytes of the header for {@code meta}: also where the data starts. */
    static int headerBytes(SnapshotMeta meta) {
        return FIXED + metaBytes(meta) + Integer.BYTES;
    }

    private static int metaBytes(SnapshotMeta meta) {
        return Integer.BYTES + meta.snapshotId().length() + 2 * Long.BYTES + Integer.BYTES + meta.membership().encode().length;
    }

    /** The header for {@code meta} and a data length. */
    static ByteBuffer encodeHeader(SnapshotMeta meta, long dataLength, int dataCrc) {
        final byte[] id = meta.snapshotId().getBytes(StandardCharsets.US_ASCII);
        final byte[] membership = meta.membership().encode();
        final ByteBuffer b = ByteBuffer.allocate(headerBytes(meta)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putLong(dataLength).putInt(dataCrc).putInt(metaBytes(meta));
        b.putInt(id.length).put(id).putLong(meta.lastLogId().term()).putLong(meta.lastLogId().index());
        b.putInt(membership.length).put(membership);
        final CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    /** The CRC32C of {@code length} bytes of {@code channel} from {@code offset}. */
    static int dataCrc(FileChannel channel, long offset, long length) throws IOException {
        final CRC32C crc = new CRC32C();
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        long done = 0;
        while (done < length) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), length - done));
            final int n = StorageDirectory.readFully(channel, buffer, offset + done);
            if (n <= 0) {
                throw new IOException("file ends at byte " + (offset + done) + " before the snapshot's " + length + " bytes");
            }
            buffer.flip();
            crc.update(buffer);
            done += n;
        }
        return (int) crc.getValue();
    }

    /** A finished snapshot file's header. */
    record Header(SnapshotMeta meta, long dataLength, int dataOffset, int dataCrc) {
    }

    /**
     * Reads and checks the header of a finished snapshot file.
     *
     * @throws CorruptStorageException naming the file and offset if it is not a valid snapshot file
     */
    static Header readHeader(Path file, FileChannel channel) throws IOException {
        final long size = channel.size();
        final ByteBuffer fixed = ByteBuffer.allocate(FIXED).order(ByteOrder.LITTLE_ENDIAN);
        if (StorageDirectory.readFully(channel, fixed, 0) < FIXED) {
            throw new CorruptStorageException(file.toString(), 0, "snapshot header cut short (file of " + size + " bytes)");
        }
        if (fixed.getInt(0) != MAGIC) {
            throw new CorruptStorageException(file.toString(), 0, "bad snapshot magic 0x" + Integer.toHexString(fixed.getInt(0)));
        }
        if (fixed.getInt(4) != VERSION) {
            throw new CorruptStorageException(file.toString(), 4, "unknown snapshot format version " + fixed.getInt(4));
        }
        final long dataLength = fixed.getLong(8);
        final int dataCrc = fixed.getInt(16);
        final int metaLength = fixed.getInt(20);
        if (metaLength < 0 || metaLength > 1 << 24 || FIXED + metaLength + 4 > size) {
            throw new CorruptStorageException(file.toString(), 20, "bad snapshot meta length " + metaLength);
        }
        final ByteBuffer all = ByteBuffer.allocate(FIXED + metaLength + 4).order(ByteOrder.LITTLE_ENDIAN);
        StorageDirectory.readFully(channel, all, 0);
        final CRC32C crc = new CRC32C();
        crc.update(all.array(), 0, FIXED + metaLength);
        if ((int) crc.getValue() != all.getInt(FIXED + metaLength)) {
            throw new CorruptStorageException(file.toString(), FIXED + metaLength, "snapshot header fails its CRC");
        }
        final int dataOffset = FIXED + metaLength + 4;
        if (dataLength < 0 || dataOffset + dataLength > size) {
            throw new CorruptStorageException(file.toString(), 8, "snapshot data length " + dataLength
                + " does not fit the file of " + size + " bytes");
        }
        try {
            all.position(FIXED);
            final byte[] id = new byte[all.getInt()];
            all.get(id);
            final long term = all.getLong();
            final long index = all.getLong();
            final byte[] membership = new byte[all.getInt()];
            all.get(membership);
            final SnapshotMeta meta = new SnapshotMeta(new String(id, StandardCharsets.US_ASCII), LogId.of(term, index),
                Membership.decode(membership));
            return new Header(meta, dataLength, dataOffset, dataCrc);
        } catch (RuntimeException e) {
            throw new CorruptStorageException(file.toString(), FIXED, "bad snapshot meta: " + e.getMessage());
        }
    }
}
