package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.log.LogFixtures.assertEntries;
import static dev.raft.storage.file.internal.log.LogFixtures.batch;
import static dev.raft.storage.file.internal.log.LogFixtures.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryTest {
    @TempDir
    Path dir;

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> SegmentFormat.parseFirstIndex(p) >= 0).sorted().toList();
        }
    }

    /** The byte offsets of each record of a segment file, plus the end of the last one. */
    private static List<Integer> recordBoundaries(byte[] file) {
        final ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        final List<Integer> out = new ArrayList<>();
        int pos = SegmentFormat.SEGMENT_HEADER_BYTES;
        out.add(pos);
        while (pos + SegmentFormat.RECORD_HEADER_BYTES <= file.length && b.getLong(pos + SegmentFormat.INDEX_OFFSET) != 0) {
            pos += SegmentFormat.RECORD_HEADER_BYTES + b.getInt(pos);
            out.add(pos);
        }
        return out;
    }

    private long writeLog(long entries) {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            final LogFixtures.Recorder rec = new LogFixtures.Recorder();
            log.append(batch(1, entries, 1), rec);
            rec.await(entries);
            return log.lastLogId().index();
        }
    }

    @Test
    void cutAtEveryByteOfTheLastRecordRecoversToAPrefix() throws IOException {
        final long last = writeLog(60);
        final Path tail = segments().get(segments().size() - 1);
        final byte[] pristine = Files.readAllBytes(tail);
        final List<Integer> bounds = recordBoundaries(pristine);
        final int lastStart = bounds.get(bounds.size() - 2);
        final int lastEnd = bounds.get(bounds.size() - 1);
        assertTrue(lastEnd - lastStart > SegmentFormat.RECORD_HEADER_BYTES, "the last record has a payload");
        for (int cut = lastStart; cut < lastEnd; cut++) {
            for (boolean zeroFill : new boolean[] {false, true}) {
                final byte[] torn = zeroFill ? pristine.clone() : Arrays.copyOf(pristine, cut);
                if (zeroFill) {
                    Arrays.fill(torn, cut, lastEnd, (byte) 0);
                }
                Files.write(tail, torn);
                try (FileLogStore log = FileLogStore.open(dir, small())) {
                    assertEquals(LogId.of(1, last - 1), log.lastLogId(), "cut at byte " + cut + " zeroFill " + zeroFill);
                    assertEntries(log, 1, last - 1, 1);
                    // the log is usable again: the torn bytes were cleared
                    log.append(batch(last, last, 2), i -> { });
                }
                try (FileLogStore log = FileLogStore.open(dir, small())) {
                    assertEquals(LogId.of(2, last), log.lastLogId());
                    log.truncateFrom(last);
                }
            }
        }
        Files.write(tail, pristine);
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, last), log.lastLogId());
        }
    }

    @Test
    void crashWithoutCloseKeepsEveryReportedEntry() {
        final FileLogStore log = FileLogStore.open(dir, small());
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        for (long i = 1; i <= 200; i += 10) {
            log.append(batch(i, i + 9, 1), rec);
        }
        rec.await(200);
        log.crash();
        try (FileLogStore reopened = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, 200), reopened.lastLogId());
            assertEntries(reopened, 1, 200, 1);
        }
    }

    @Test
    void randomCrashesLosingUnflushedEntriesKeepEveryReportedOne() {
        final long seed = new java.util.Random().nextLong();
        final java.util.Random random = new java.util.Random(seed);
        long term = 1;
        for (int round = 0; round < 30; round++) {
            final FileLogStore log = FileLogStore.open(dir, small());
            final LogFixtures.Recorder rec = new LogFixtures.Recorder();
            final long start = log.lastLogId().index();
            long next = start + 1;
            final int appends = 1 + random.nextInt(20);
            for (int a = 0; a < appends; a++) {
                final int n = 1 + random.nextInt(30);
                log.append(batch(next, next + n - 1, term), rec);
                next += n;
                if (random.nextInt(4) == 0) {
                    rec.await(next - 1);
                }
            }
            final long reported = Math.max(start, rec.last());
            log.crash(true);
            try (FileLogStore reopened = FileLogStore.open(dir, small())) {
                final long last = reopened.lastLogId().index();
                assertTrue(last >= reported && last < next, "round " + round + ": reported " + reported + ", appended up to "
                    + (next - 1) + ", reopened at " + last + " (seed " + seed + ")");
                if (last > 0) {
                    final List<dev.raft.api.Entry> all = LogFixtures.readAll(reopened, 1, last);
                    for (dev.raft.api.Entry e : all) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(LogFixtures.payload(e.index()), e.data(),
                            "entry " + e.index() + " (seed " + seed + ")");
                    }
                }
            }
            term++;
        }
    }

    private static void flipBit(Path file, int offset) throws IOException {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x10;
        Files.write(file, bytes);
    }

    @Test
    void bitFlipInASealedSegmentIsReportedWithFileAndOffset() throws IOException {
        writeLog(300);
        final Path sealed = segments().get(1);
        final List<Integer> bounds = recordBoundaries(Files.readAllBytes(sealed));
        final int victim = bounds.get(bounds.size() / 2);
        flipBit(sealed, victim + SegmentFormat.RECORD_HEADER_BYTES - 1);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(sealed.toString(), e.file());
        assertEquals(victim, e.byteOffset());
        assertTrue(e.getMessage().contains(sealed.toString()) && e.getMessage().contains("byte " + victim), e.getMessage());
    }

    @Test
    void bitFlipInTheMiddleOfTheTailSegmentIsCorruptionNotATornTail() throws IOException {
        writeLog(300);
        final Path tail = segments().get(segments().size() - 1);
        final List<Integer> bounds = recordBoundaries(Files.readAllBytes(tail));
        assertTrue(bounds.size() > 4, "the tail segment holds several records");
        final int victim = bounds.get(1);
        flipBit(tail, victim + SegmentFormat.TERM_OFFSET);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(tail.toString(), e.file());
        assertEquals(victim, e.byteOffset());
        assertTrue(e.getMessage().contains("not a torn tail"), e.getMessage());
    }

    @Test
    void readsCheckEachRecordAndReportCorruptionWithFileAndOffset() throws IOException {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 20, 1), i -> { });
            final Path seg = segments().get(0);
            final List<Integer> bounds = recordBoundaries(Files.readAllBytes(seg));
            final int victim = bounds.get(5);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(seg,
                java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), victim + SegmentFormat.TERM_OFFSET);
            }
            assertEntries(log, 1, 5, 1);
            final CorruptStorageException e = assertThrows(CorruptStorageException.class,
                () -> log.read(1, 10, Integer.MAX_VALUE, new dev.raft.api.EntryBatch()));
            assertEquals(seg.toString(), e.file());
            assertEquals(victim, e.byteOffset());
        }
    }

    @Test
    void missingSegmentIsReported() throws IOException {
        writeLog(300);
        final List<Path> segs = segments();
        assertTrue(segs.size() >= 3);
        Files.delete(segs.get(1));
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(segs.get(2).toString(), e.file());
        assertEquals(0, e.byteOffset());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void missingFirstSegmentIsReported() throws IOException {
        writeLog(300);
        final List<Path> segs = segments();
        Files.delete(segs.get(0));
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(segs.get(1).toString(), e.file());
    }

    @Test
    void indexGapInsideASegmentIsReported() throws IOException {
        writeLog(300);
        final Path sealed = segments().get(0);
        final byte[] bytes = Files.readAllBytes(sealed);
        final List<Integer> bounds = recordBoundaries(bytes);
        final int victim = bounds.get(3);
        // rewrite record 4 as index 5 with a valid CRC: a gap, not a checksum failure
        final ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(victim + SegmentFormat.INDEX_OFFSET, 5);
        final ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        direct.put(bytes).clear();
        b.putInt(victim + SegmentFormat.CRC_OFFSET, SegmentFormat.recordCrc(direct, victim, b.getInt(victim),
            new java.util.zip.CRC32C()));
        Files.write(sealed, bytes);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(sealed.toString(), e.file());
        assertEquals(victim, e.byteOffset());
        assertTrue(e.getMessage().contains("expected 4"), e.getMessage());
    }

    @Test
    void corruptSegmentHeaderIsReported() throws IOException {
        writeLog(300);
        final Path seg = segments().get(1);
        flipBit(seg, 9);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileLogStore.open(dir, small()));
        assertEquals(seg.toString(), e.file());
        assertEquals(0, e.byteOffset());
    }

    @Test
    void leftoverTemporaryFilesAreDeleted() throws IOException {
        writeLog(10);
        Files.write(dir.resolve("junk.tmp"), new byte[100]);
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(10, log.lastLogId().index());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().equals("junk.tmp")));
        }
    }
}
