package dev.raft.storage.file;

import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.internal.log.FileLogStore;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import dev.raft.storage.file.internal.snapshot.FileSnapshotStore;
import dev.raft.testkit.conformance.Fault;
import dev.raft.testkit.conformance.StorageConformanceSuite;
import dev.raft.testkit.conformance.StorageFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/** The file stores pass the testkit's storage conformance suite, with small segments so that cases roll. */
class FileStorageConformanceTest extends StorageConformanceSuite {
    static final FileStorageConfig CONFIG = FileStorageConfig.builder().segmentSizeBytes(16 * 1024)
        .writeBufferBytes(8 * 1024).readBufferBytes(8 * 1024).build();

    @Override
    protected StorageFactory factory() {
        return new FileStorageFactory();
    }

    /**
     * Opens the file stores; supports every fault. A crash also drops every entry not yet reported flushed
     * (as a machine crash may), so the suite checks exactly the durability the contract promises.
     */
    static final class FileStorageFactory implements StorageFactory {
        @Override
        public LogStore openLogStore(Path dir) {
            return FileLogStore.open(dir, CONFIG);
        }

        @Override
        public SnapshotStore openSnapshotStore(Path dir) {
            return FileSnapshotStore.open(dir);
        }

        @Override
        public Optional<String> unsupported(Fault fault) {
            return Optional.empty();
        }

        @Override
        public int maxEntryBytes() {
            return CONFIG.maxEntryBytes();
        }

        @Override
        public void crash(LogStore store, Path dir) {
            ((FileLogStore) store).crash(true);
        }

        @Override
        public void crash(SnapshotStore store, Path dir) {
            ((FileSnapshotStore) store).crash();
        }

        /** Crashes, then leaves half a record (a header naming the next index and part of its payload) after the last one. */
        @Override
        public void crashTearingUnflushed(LogStore store, Path dir) throws IOException {
            final long next = store.lastLogId().index() + 1;
            ((FileLogStore) store).crash();
            final Path tail;
            try (Stream<Path> files = Files.list(dir)) {
                tail = files.filter(p -> SegmentFormat.parseFirstIndex(p) >= 0).max(Path::compareTo).orElse(null);
            }
            if (tail == null) {
                return;
            }
            try (FileChannel ch = FileChannel.open(tail, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                long pos = SegmentFormat.SEGMENT_HEADER_BYTES;
                while (pos + SegmentFormat.RECORD_HEADER_BYTES <= ch.size()) {
                    b.clear();
                    ch.read(b, pos + SegmentFormat.INDEX_OFFSET);
                    if (b.getLong(0) == 0) {
                        break;
                    }
                    b.clear().limit(4);
                    ch.read(b, pos);
                    pos += SegmentFormat.RECORD_HEADER_BYTES + b.getInt(0);
                }
                final int payload = 40;
                final int written = SegmentFormat.RECORD_HEADER_BYTES + payload / 2;
                if (pos + written > ch.size()) {
                    return;
                }
                final ByteBuffer torn = ByteBuffer.allocate(written).order(ByteOrder.LITTLE_ENDIAN);
                torn.putInt(payload).putInt(0x1234567).putLong(1).putLong(next).put((byte) 1);
                while (torn.hasRemaining()) {
                    torn.put((byte) 0x77);
                }
                torn.flip();
                ch.write(torn, pos);
            }
        }

        @Override
        public void failNextSnapshotWrite(SnapshotStore store) {
            ((FileSnapshotStore) store).failNextWrite();
        }

        @Override
        public void failNextSnapshotFinish(SnapshotStore store) {
            ((FileSnapshotStore) store).failNextFinish();
        }
    }
}
