package dev.raft.core.internal.metrics;

import dev.raft.core.RaftCounters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Counters in an Agrona {@link CountersManager} over a memory-mapped file that other processes map to read
 * them. Layout: a 64-byte header (magic {@code "RAFTCNT1"}, int metadata length, int values length), the
 * counters' metadata, then their values (the layouts of Agrona's {@link CountersReader}).
 */
public final class MappedCounters implements RaftCounters {
    private static final long MAGIC = 0x31544e4354464152L; // "RAFTCNT1" little-endian
    private static final int HEADER = 64;
    private static final int METADATA_BYTES = HeapCounters.CAPACITY * CountersReader.METADATA_LENGTH;
    private static final int VALUES_BYTES = HeapCounters.CAPACITY * CountersReader.COUNTER_LENGTH;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final CountersManager manager;

    private MappedCounters(Path file, MappedByteBuffer mapped) {
        this.file = file;
        this.mapped = mapped;
        final UnsafeBuffer all = new UnsafeBuffer(mapped);
        all.putInt(8, METADATA_BYTES);
        all.putInt(12, VALUES_BYTES);
        this.manager = new CountersManager(new UnsafeBuffer(all, HEADER, METADATA_BYTES),
            new UnsafeBuffer(all, HEADER + METADATA_BYTES, VALUES_BYTES));
        all.putLongVolatile(0, MAGIC); // last: a reader that sees the magic sees the layout
    }

    /** Creates (or replaces) the counters file {@code file}. */
    public static MappedCounters create(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the counters file " + file, e);
        }
        return new MappedCounters(file, IoUtil.mapNewFile(file.toFile(), HEADER + METADATA_BYTES + VALUES_BYTES));
    }

    /** Maps an existing counters file read-only (another process's). */
    public static RaftCounters.View open(Path file) {
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file.toFile(),
            java.nio.channels.FileChannel.MapMode.READ_ONLY, "raft counters");
        final UnsafeBuffer all = new UnsafeBuffer(mapped);
        if (all.capacity() < HEADER || all.getLongVolatile(0) != MAGIC) {
            IoUtil.unmap(mapped);
            throw new IllegalStateException("not a raft counters file (or not initialised yet): " + file);
        }
        final int metadataBytes = all.getInt(8);
        final int valuesBytes = all.getInt(12);
        final CountersReader reader = new CountersReader(new UnsafeBuffer(all, HEADER, metadataBytes),
            new UnsafeBuffer(all, HEADER + metadataBytes, valuesBytes));
        return new RaftCounters.View() {
            @Override
            public CountersReader reader() {
                return reader;
            }

            @Override
            public void close() {
                IoUtil.unmap(mapped);
            }
        };
    }

    @Override
    public AtomicCounter newCounter(int typeId, String label) {
        return manager.newCounter(label, typeId);
    }

    @Override
    public void close() {
        IoUtil.unmap(mapped);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the counters file " + file, e);
        }
    }
}
