package dev.raft.storage.file.internal.vote;

import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.storage.file.internal.StorageDirectory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A small durable record of two longs kept in two fixed slots, each with a sequence number and a
 * CRC32C. Writes alternate between the slots and are forced, so a torn write of one slot never loses
 * the value held by the other; on load the valid slot with the higher sequence number wins.
 *
 * <p>Slot layout (little-endian, 32 bytes): magic (int), sequence (long), first value (long), second
 * value (long), CRC32C of the 28 bytes before it (int). Slot 0 is at byte 0, slot 1 at byte
 * {@value #SLOT_STRIDE} (a different file-system block). The file is created, with both slots holding
 * the initial value, through a temporary file renamed into place, so it never exists without a valid slot.
 *
 * <p>Not thread-safe: one writer.
 */
public final class DualSlotFile implements AutoCloseable {
    /** The distance between the two slots, in bytes. */
    public static final int SLOT_STRIDE = 4096;
    /** The bytes of one slot. */
    public static final int SLOT_BYTES = 32;

    private static final int MAGIC = 0x52465331; // "RFS1"
    private static final int CRC_OFFSET = 28;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final CRC32C crc = new CRC32C();
    private long sequence;
    private long first;
    private long second;

    private DualSlotFile(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Opens the file, creating it with the initial values if it does not exist.
     *
     * @throws CorruptStorageException naming the file and slot offsets if neither slot is valid
     * @throws StorageException        (fatal) on IO errors
     */
    public static DualSlotFile open(Path file, long initialFirst, long initialSecond) {
        try {
            if (!Files.exists(file)) {
                create(file, initialFirst, initialSecond);
            }
            final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final DualSlotFile slots = new DualSlotFile(file, channel);
            try {
                slots.load();
            } catch (RuntimeException e) {
                StorageDirectory.closeQuietly(channel);
                throw e;
            }
            return slots;
        } catch (IOException e) {
            throw StorageException.fatal("cannot open " + file + ": " + e, e);
        }
    }

    private static void create(Path file, long first, long second) throws IOException {
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
            final ByteBuffer b = ByteBuffer.allocate(SLOT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            final CRC32C c = new CRC32C();
            for (int slot = 0; slot < 2; slot++) {
                encode(b, c, 0, first, second);
                StorageDirectory.writeFully(ch, b, (long) slot * SLOT_STRIDE);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        StorageDirectory.syncDirectory(file.toAbsolutePath().getParent());
    }

    private static void encode(ByteBuffer b, CRC32C c, long sequence, long first, long second) {
        b.clear();
        b.putInt(0, MAGIC).putLong(4, sequence).putLong(12, first).putLong(20, second);
        b.limit(CRC_OFFSET);
        c.reset();
        c.update(b);
        b.limit(SLOT_BYTES);
        b.putInt(CRC_OFFSET, (int) c.getValue());
        b.position(0);
    }

    private void load() throws IOException {
        final String[] problems = new String[2];
        boolean found = false;
        for (int slot = 0; slot < 2; slot++) {
            final long offset = (long) slot * SLOT_STRIDE;
            buffer.clear();
            final int n = StorageDirectory.readFully(channel, buffer, offset);
            if (n < SLOT_BYTES) {
                problems[slot] = "slot " + slot + " at byte " + offset + " is cut short (" + n + " of " + SLOT_BYTES + " bytes)";
                continue;
            }
            if (buffer.getInt(0) != MAGIC) {
                problems[slot] = "slot " + slot + " at byte " + offset + " has a bad magic " + Integer.toHexString(buffer.getInt(0));
                continue;
            }
            buffer.position(0).limit(CRC_OFFSET);
            crc.reset();
            crc.update(buffer);
            buffer.limit(SLOT_BYTES);
            if ((int) crc.getValue() != buffer.getInt(CRC_OFFSET)) {
                problems[slot] = "slot " + slot + " at byte " + offset + " fails its CRC";
                continue;
            }
            final long seq = buffer.getLong(4);
            if (!found || seq > sequence) {
                found = true;
                sequence = seq;
                first = buffer.getLong(12);
                second = buffer.getLong(20);
            }
        }
        if (!found) {
            throw new CorruptStorageException(file.toString(), 0, "neither slot is valid: " + problems[0] + "; " + problems[1]);
        }
    }

    /** The first value of the newest valid slot. */
    public long first() {
        return first;
    }

    /** The second value of the newest valid slot. */
    public long second() {
        return second;
    }

    /** The sequence number of the newest valid slot. */
    public long sequence() {
        return sequence;
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /**
     * Writes the values into the older slot with the next sequence number and forces the file. Durable
     * on return.
     *
     * @throws StorageException (fatal) on IO errors; the previous values remain the loaded ones
     */
    public void write(long newFirst, long newSecond) {
        final long seq = sequence + 1;
        final long offset = (seq & 1) * SLOT_STRIDE;
        encode(buffer, crc, seq, newFirst, newSecond);
        try {
            StorageDirectory.writeFully(channel, buffer, offset);
            channel.force(false);
        } catch (IOException e) {
            throw StorageException.fatal("cannot write " + file + " at byte " + offset + ": " + e, e);
        }
        sequence = seq;
        first = newFirst;
        second = newSecond;
    }

    @Override
    public void close() {
        StorageDirectory.closeQuietly(channel);
    }
}
