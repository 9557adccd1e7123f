package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.log.LogFixtures.assertEntries;
import static dev.raft.storage.file.internal.log.LogFixtures.batch;
import static dev.raft.storage.file.internal.log.LogFixtures.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.error.StorageException;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileLogStoreTest {
    @TempDir
    Path dir;

    private static long segmentCount(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> SegmentFormat.parseFirstIndex(p) >= 0).count();
        }
    }

    @Test
    void emptyStore() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.NONE, log.lastLogId());
            assertEquals(LogId.NONE, log.lastPurgedLogId());
            assertEquals(0, log.termAt(0));
            assertEquals(Vote.INITIAL, log.readVote());
            assertEquals(0, log.read(1, 1, 100, new EntryBatch()));
            assertThrows(IllegalArgumentException.class, () -> log.termAt(1));
            assertThrows(IllegalArgumentException.class, () -> log.read(1, 2, 100, new EntryBatch()));
        }
    }

    @Test
    void appendReadAcrossSegmentsAndReopen() throws IOException {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 100, 1), rec);
            log.append(batch(101, 300, 2), rec);
            assertEquals(LogId.of(2, 300), log.lastLogId());
            rec.await(300);
            assertEntries(log, 1, 100, 1);
            assertEntries(log, 101, 300, 2);
            assertEquals(1, log.termAt(100));
            assertEquals(2, log.termAt(101));
        }
        assertTrue(segmentCount(dir) > 3, "4 KiB segments roll");
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(2, 300), log.lastLogId());
            assertEntries(log, 1, 100, 1);
            assertEntries(log, 101, 300, 2);
            log.append(batch(301, 310, 2), rec);
            rec.await(310);
        }
    }

    @Test
    void flushReportsStrictlyIncreaseAndCoverEveryAppend() {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            for (long i = 1; i <= 500; i++) {
                log.append(batch(i, i, 1), rec);
            }
            rec.await(500);
            final List<Long> reports = rec.reports();
            for (int i = 1; i < reports.size(); i++) {
                assertTrue(reports.get(i) > reports.get(i - 1), "reports " + reports);
            }
        }
    }

    @Test
    void differentCallbacksAreEachTold() {
        final LogFixtures.Recorder a = new LogFixtures.Recorder();
        final LogFixtures.Recorder b = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 5, 1), a);
            log.append(batch(6, 9, 1), b);
            a.await(5);
            b.await(9);
        }
    }

    @Test
    void noFsyncStillCallsBack() {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, LogFixtures.smallNoFsync())) {
            log.append(batch(1, 50, 1), rec);
            rec.await(50);
        }
    }

    @Test
    void readHonoursMaxBytesButCopiesAtLeastOne() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 100, 1), i -> { });
            final EntryBatch dst = new EntryBatch();
            assertEquals(1, log.read(2, 50, 0, dst));
            dst.clear();
            final int n = log.read(2, 50, 200, dst);
            assertTrue(n >= 1 && n < 48, "read " + n);
            assertTrue(dst.payloadBytes() >= 200 || n == 48);
            assertTrue(dst.payloadBytes() - dst.payloadLength(n - 1) < 200, "stops once maxBytes is reached");
        }
    }

    @Test
    void argumentChecks() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 10, 2), i -> { });
            assertThrows(IllegalArgumentException.class, () -> log.append(new EntryBatch(), i -> { }));
            assertThrows(IllegalArgumentException.class, () -> log.append(batch(12, 12, 2), i -> { }));
            assertThrows(IllegalArgumentException.class, () -> log.append(batch(11, 11, 1), i -> { }));
            assertThrows(IllegalArgumentException.class, () -> log.read(0, 2, 10, new EntryBatch()));
            assertThrows(IllegalArgumentException.class, () -> log.read(1, 12, 10, new EntryBatch()));
            assertThrows(IllegalArgumentException.class, () -> log.read(5, 4, 10, new EntryBatch()));
            assertThrows(IllegalArgumentException.class, () -> log.truncateFrom(0));
            assertThrows(IllegalArgumentException.class, () -> log.truncateFrom(12));
            assertThrows(IllegalArgumentException.class, () -> log.purgeUpTo(LogId.of(1, 5)));
            final EntryBatch big = new EntryBatch();
            big.add(2, 11, dev.raft.api.EntryType.NORMAL, new byte[4096]);
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.append(big, i -> { }));
            assertTrue(e.getMessage().contains("entry 11"), e.getMessage());
            assertEquals(LogId.of(2, 10), log.lastLogId());
        }
    }

    @Test
    void callsAfterCloseThrow() {
        final FileLogStore log = FileLogStore.open(dir, small());
        log.close();
        log.close();
        assertThrows(IllegalStateException.class, log::lastLogId);
        assertThrows(IllegalStateException.class, () -> log.append(batch(1, 1, 1), i -> { }));
        assertThrows(IllegalStateException.class, () -> log.read(1, 1, 1, new EntryBatch()));
        assertThrows(IllegalStateException.class, log::readVote);
    }

    @Test
    void truncateSuffixAcrossSegmentsIsDurable() throws IOException {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 300, 1), rec);
            rec.await(300);
            final long before = segmentCount(dir);
            log.truncateFrom(51);
            assertTrue(segmentCount(dir) < before, "later segments deleted");
            assertEquals(LogId.of(1, 50), log.lastLogId());
            assertThrows(IllegalArgumentException.class, () -> log.read(50, 52, 100, new EntryBatch()));
            rec.resetAfterTruncation();
            log.append(batch(51, 60, 3), rec);
            rec.await(60);
            assertEquals(3, log.termAt(55));
            assertEquals(1, log.termAt(50));
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(3, 60), log.lastLogId());
            assertEntries(log, 1, 50, 1);
            assertEntries(log, 51, 60, 3);
        }
    }

    @Test
    void truncateSurvivesCrashWithoutClose() {
        final FileLogStore log = FileLogStore.open(dir, small());
        log.append(batch(1, 40, 1), i -> { });
        log.truncateFrom(20);
        log.crash();
        try (FileLogStore reopened = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, 19), reopened.lastLogId());
            assertEntries(reopened, 1, 19, 1);
        }
    }

    @Test
    void truncateAtSegmentStartKeepsAnEmptySegment() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 300, 1), i -> { });
            final long secondFirst = findSecondSegmentFirst();
            log.truncateFrom(secondFirst);
            assertEquals(secondFirst - 1, log.lastLogId().index());
            log.append(batch(secondFirst, secondFirst + 5, 2), i -> { });
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            final long secondFirst = findSecondSegmentFirst();
            assertEquals(LogId.of(2, secondFirst + 5), log.lastLogId());
            assertEntries(log, secondFirst, secondFirst + 5, 2);
        }
    }

    private long findSecondSegmentFirst() {
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(SegmentFormat::parseFirstIndex).filter(v -> v > 1).min().orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void truncateCapsPendingReportsAndLaterReportsRestart() {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 100, 1), rec);
            log.truncateFrom(40);
            // whatever was reported before the truncation, nothing >= 40 is reported after it
            final int reportsAtCut = rec.reports().size();
            rec.await(39);
            for (long r : rec.reports().subList(reportsAtCut, rec.reports().size())) {
                assertTrue(r < 40, "report " + r + " after truncation from 40");
            }
            rec.resetAfterTruncation();
            log.append(batch(40, 45, 2), rec);
            rec.await(45);
        }
    }

    @Test
    void purgeDeletesWholeSegmentsAndIsDurable() throws IOException {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 300, 1), i -> { });
            log.append(batch(301, 310, 2), i -> { });
            final long before = segmentCount(dir);
            log.purgeUpTo(LogId.of(1, 200));
            assertTrue(segmentCount(dir) < before);
            assertEquals(LogId.of(1, 200), log.lastPurgedLogId());
            assertEquals(1, log.termAt(200));
            assertThrows(IllegalArgumentException.class, () -> log.termAt(199));
            assertThrows(IllegalArgumentException.class, () -> log.read(200, 201, 10, new EntryBatch()));
            assertEntries(log, 201, 300, 1);
            log.purgeUpTo(LogId.of(1, 100));
            assertEquals(LogId.of(1, 200), log.lastPurgedLogId());
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, 200), log.lastPurgedLogId());
            assertEquals(LogId.of(2, 310), log.lastLogId());
            assertEntries(log, 201, 300, 1);
            assertEntries(log, 301, 310, 2);
            assertThrows(IllegalArgumentException.class, () -> log.read(200, 202, 10, new EntryBatch()));
        }
    }

    @Test
    void purgeBeyondTheEnd() throws IOException {
        final LogFixtures.Recorder rec = new LogFixtures.Recorder();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 50, 1), rec);
            log.purgeUpTo(LogId.of(3, 1000));
            assertEquals(LogId.of(3, 1000), log.lastLogId());
            assertEquals(LogId.of(3, 1000), log.lastPurgedLogId());
            assertEquals(3, log.termAt(1000));
            assertEquals(0, segmentCount(dir));
            rec.await(50);
            log.append(batch(1001, 1010, 3), rec);
            rec.await(1010);
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(3, 1000), log.lastPurgedLogId());
            assertEquals(LogId.of(3, 1010), log.lastLogId());
            assertEntries(log, 1001, 1010, 3);
        }
    }

    @Test
    void purgeToTheEndThenReopenEmpty() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 20, 1), i -> { });
            log.purgeUpTo(LogId.of(1, 20));
            assertEquals(LogId.of(1, 20), log.lastLogId());
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, 20), log.lastLogId());
            assertEquals(LogId.of(1, 20), log.lastPurgedLogId());
            log.append(batch(21, 21, 1), i -> { });
        }
    }

    @Test
    void interruptedPurgeIsCompletedOnOpen() throws IOException {
        // segments are deleted after the purge point is recorded: simulate a crash in between
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 300, 1), i -> { });
        }
        final long segments = segmentCount(dir);
        try (dev.raft.storage.file.internal.vote.DualSlotFile purged =
                 dev.raft.storage.file.internal.vote.DualSlotFile.open(dir.resolve(FileLogStore.PURGED_FILE), 0, 0)) {
            purged.write(1, 250);
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(LogId.of(1, 250), log.lastPurgedLogId());
            assertEntries(log, 251, 300, 1);
        }
        assertTrue(segmentCount(dir) < segments);
    }

    @Test
    void voteIsDurableAndChecked() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.saveVote(new Vote(3, 2));
            log.saveVote(new Vote(3, 2));
            assertThrows(IllegalArgumentException.class, () -> log.saveVote(new Vote(2, 1)));
            assertThrows(IllegalArgumentException.class, () -> log.saveVote(new Vote(3, 1)));
            log.saveVote(new Vote(4, 0));
            log.saveVote(new Vote(4, 5));
            assertEquals(new Vote(4, 5), log.readVote());
            log.crash();
        }
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            assertEquals(new Vote(4, 5), log.readVote());
        }
    }

    @Test
    void secondOpenOfTheDirectoryIsRefused() {
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            final StorageException e = assertThrows(StorageException.class, () -> FileLogStore.open(dir, small()));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("lock"), e.getMessage());
            assertTrue(e.isFatal());
            assertEquals(LogId.NONE, log.lastLogId());
        }
    }

    @Test
    void readsRunConcurrentlyWithAppendsAndTruncations() throws Exception {
        final AtomicReference<Throwable> error = new AtomicReference<>();
        try (FileLogStore log = FileLogStore.open(dir, small())) {
            log.append(batch(1, 10, 1), i -> { });
            final Thread reader = new Thread(() -> {
                final EntryBatch dst = new EntryBatch();
                final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                try {
                    while (System.nanoTime() < end) {
                        final long last = log.publishedLastIndex();
                        if (last < 1) {
                            continue;
                        }
                        dst.clear();
                        try {
                            final int n = log.read(1, last + 1, 1 << 20, dst);
                            for (int i = 0; i < n; i++) {
                                final byte[] expected = LogFixtures.payload(dst.index(i));
                                final byte[] actual = dst.entry(i).toEntry().data();
                                if (!java.util.Arrays.equals(expected, actual)) {
                                    throw new AssertionError("torn or wrong entry " + dst.index(i));
                                }
                            }
                        } catch (IllegalArgumentException truncatedMeanwhile) {
                            // the range was truncated between lastLogIdForReaders and read: allowed
                        }
                    }
                } catch (Throwable t) {
                    error.set(t);
                }
            });
            reader.start();
            long next = 11;
            long term = 1;
            int rounds = 0;
            final long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(400);
            while (System.nanoTime() < end) {
                log.append(batch(next, next + 9, term), i -> { });
                next += 10;
                if (++rounds % 7 == 0) {
                    term++;
                    log.truncateFrom(next - 15);
                    next -= 15;
                }
            }
            reader.join();
        }
        if (error.get() != null) {
            throw new AssertionError(error.get());
        }
    }
}
