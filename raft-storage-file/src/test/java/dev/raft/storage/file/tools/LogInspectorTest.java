package dev.raft.storage.file.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.storage.file.FileStores;
import dev.raft.storage.file.internal.log.LogFixtures;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogInspectorTest {
    @TempDir
    Path dir;

    private void write(long last) {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (LogStore log = FileStores.openLogStore(dir, LogFixtures.small())) {
            log.append(LogFixtures.batch(1, last, 1), rec);
            rec.await(last);
        }
    }

    /** Flips a payload byte of the record of {@code index} in its segment. */
    private LogInspector.SegmentReport corrupt(long index) throws IOException {
        final LogInspector.SegmentReport segment = LogInspector.of(dir).verify().segments().stream()
            .filter(s -> s.firstIndex() <= index && index <= s.lastIndex()).findFirst().orElseThrow();
        final List<Integer> offsets = new ArrayList<>();
        LogInspector.of(dir).dump(index, 1, e -> offsets.add(e.offset()));
        try (RandomAccessFile raf = new RandomAccessFile(segment.file().toFile(), "rw")) {
            final long at = offsets.get(0) + 25 + 1;
            raf.seek(at);
            final int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x5a);
        }
        return segment;
    }

    @Test
    void aSoundLogVerifiesAndDumps() {
        write(300);
        final LogInspector.Report r = LogInspector.of(dir).verify();
        assertFalse(r.corrupt());
        assertTrue(r.segments().size() > 3, "small segments roll");
        assertEquals(1, r.firstIndex());
        assertEquals(300, r.lastIndex());
        assertNull(r.tornTail());
        final List<LogInspector.EntryRecord> entries = new ArrayList<>();
        LogInspector.of(dir).dump(50, 3, entries::add);
        assertEquals(List.of(50L, 51L, 52L), entries.stream().map(LogInspector.EntryRecord::index).toList());
        assertArrayEquals(LogFixtures.payload(51), entries.get(1).payload());
        assertEquals(1, entries.get(1).term());
    }

    @Test
    void aCorruptRecordBeforeTheTailIsNamedAndTruncationRepairsIt() throws IOException {
        write(300);
        final LogInspector.SegmentReport damaged = corrupt(40);
        assertThrows(CorruptStorageException.class, () -> FileStores.openLogStore(dir, LogFixtures.small()).close(),
            "a node refuses the log");
        final LogInspector.Report r = LogInspector.of(dir).verify();
        assertTrue(r.corrupt());
        assertNotNull(r.firstCorrupt());
        assertEquals(damaged.file(), r.firstCorrupt().file());
        assertEquals(39, r.firstCorrupt().lastIndex(), "the last good index before the bad record");

        final IllegalArgumentException tooLate = assertThrows(IllegalArgumentException.class,
            () -> LogInspector.of(dir).planTruncate(41));
        assertTrue(tooLate.getMessage().contains("the first corrupt record is index 40"), tooLate.getMessage());
        final LogInspector.TruncatePlan plan = LogInspector.of(dir).planTruncate(40);
        assertEquals(300, plan.lastIndex());
        assertEquals(261, plan.droppedEntries());
        assertEquals(damaged.file(), plan.cutFile());
        assertFalse(plan.deleted().isEmpty(), "the later segments go");

        LogInspector.of(dir).truncate(plan);
        final LogInspector.Report after = LogInspector.of(dir).verify();
        assertFalse(after.corrupt());
        assertEquals(39, after.lastIndex());
        try (LogStore log = FileStores.openLogStore(dir, LogFixtures.small())) {
            assertEquals(39, log.lastLogId().index());
            LogFixtures.assertEntries(log, 1, 39, 1);
        }
    }

    @Test
    void aTornTailIsReportedButIsNotCorruption() throws IOException {
        write(20);
        final List<LogInspector.SegmentReport> segments = LogInspector.of(dir).verify().segments();
        final LogInspector.SegmentReport last = segments.get(segments.size() - 1);
        try (RandomAccessFile raf = new RandomAccessFile(last.file().toFile(), "rw")) {
            raf.seek(last.recordsEnd() + 3);
            raf.write(0x7f);
        }
        final LogInspector.Report r = LogInspector.of(dir).verify();
        assertFalse(r.corrupt());
        assertNotNull(r.tornTail());
        assertEquals(20, r.lastIndex());
    }

    @Test
    void truncateRefusesADirectoryANodeHasOpen() {
        write(10);
        final LogInspector.TruncatePlan plan = LogInspector.of(dir).planTruncate(5);
        try (LogStore open = FileStores.openLogStore(dir, LogFixtures.small())) {
            assertEquals(10, open.lastLogId().index());
            assertThrows(StorageException.class, () -> LogInspector.of(dir).truncate(plan));
        }
        assertEquals(10, LogInspector.of(dir).verify().lastIndex(), "nothing changed");
    }

    private void snapshot(String id, long lastIndex) {
        try (SnapshotStore store = FileStores.openSnapshotStore(dir)) {
            final SnapshotSink sink = store.begin(new SnapshotMeta(id, LogId.of(1, lastIndex), Membership.of(1, 2, 3)));
            sink.write(0, ByteBuffer.wrap(new byte[4096]));
            sink.finish().close();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private void purge(long upTo) {
        try (LogStore log = FileStores.openLogStore(dir, LogFixtures.small())) {
            log.purgeUpTo(LogId.of(1, upTo));
        }
    }

    @Test
    void aSoundSnapshotVerifiesAndTheLogContinuesIt() {
        write(300);
        snapshot("s-200", 200);
        purge(200);
        final LogInspector inspector = LogInspector.of(dir);
        final List<LogInspector.SnapshotReport> snapshots = inspector.verifySnapshots();
        assertEquals(1, snapshots.size());
        final LogInspector.SnapshotReport s = snapshots.get(0);
        assertTrue(s.current());
        assertNull(s.problem(), s.toString());
        assertEquals("s-200", s.snapshotId());
        assertEquals(200, s.lastIndex());
        assertEquals(4096, s.dataLength());
        final LogInspector.Report log = inspector.verify();
        assertTrue(log.firstIndex() > 1, "purged segments are gone: " + log.firstIndex());
        assertNull(LogInspector.continuityProblem(log, snapshots));
    }

    @Test
    void aFlippedSnapshotDataByteIsCorruptionNamingFileAndOffset() throws IOException {
        write(10);
        snapshot("s-5", 5);
        final Path file = LogInspector.of(dir).verifySnapshots().get(0).file();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() - 100);
            final int b = raf.read();
            raf.seek(raf.length() - 100);
            raf.write(b ^ 0x01);
        }
        final LogInspector.SnapshotReport s = LogInspector.of(dir).verifySnapshots().get(0);
        assertTrue(s.corrupt());
        assertTrue(s.problem().contains(file.toString()) && s.problem().contains("fails its CRC")
            && s.problem().contains("at byte "), s.problem());
    }

    @Test
    void aBadSnapshotHeaderIsCorruption() throws IOException {
        write(10);
        snapshot("s-5", 5);
        final Path file = LogInspector.of(dir).verifySnapshots().get(0).file();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(30);
            final int b = raf.read();
            raf.seek(30);
            raf.write(b ^ 0x01);
        }
        final LogInspector.SnapshotReport s = LogInspector.of(dir).verifySnapshots().get(0);
        assertTrue(s.corrupt());
        assertNull(s.snapshotId());
        assertTrue(s.problem().contains("header"), s.problem());
    }

    @Test
    void aLogThatStartsAfterTheSnapshotHasAGap() {
        write(300);
        snapshot("s-200", 200);
        purge(200);
        final LogInspector inspector = LogInspector.of(dir);
        final LogInspector.Report log = inspector.verify();
        final List<LogInspector.SnapshotReport> older = List.of(new LogInspector.SnapshotReport(
            dir.resolve("snapshots/snapshot-1.snap"), "s-50", 50, 1, 10, true, null));
        final String gap = LogInspector.continuityProblem(log, older);
        assertNotNull(gap);
        assertTrue(gap.contains("ends at index 50") && gap.contains("are missing"), gap);
        assertTrue(LogInspector.continuityProblem(log, List.of()).contains("no sound snapshot"));
    }
}
