package dev.raft.storage.file.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.error.StorageException;
import dev.raft.storage.file.FileStorageConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the log lives on a small tmpfs (skipped with the reason where it cannot be mounted).
 * At open, a disk without room for one segment is a fatal StorageException with one line naming the file,
 * the size and the mount; while running, a full disk is a fatal StorageException naming the file and the
 * operation, and every later call refuses (no silent retry).
 */
@Timeout(60)
class DiskFullTest {
    private static final int SEGMENT = 1024 * 1024;
    private static final FileStorageConfig PREALLOCATED = FileStorageConfig.builder().segmentSizeBytes(SEGMENT).build();

    @TempDir
    Path dir;

    @Test
    void openOnADiskWithoutRoomForASegmentFailsWithOneClearLine() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mountOrSkip(dir, "512k")) {
            final StorageException e = assertThrows(StorageException.class, () -> FileLogStore.open(disk.dir().resolve("log"),
                PREALLOCATED));
            assertTrue(e.isFatal());
            final String expected = "cannot preallocate segment " + disk.dir().resolve("log") + "/spare.seg.tmp (1 MiB): "
                + "no space left on " + disk.dir() + " (tmpfs) (";
            assertTrue(e.getMessage().startsWith(expected), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void aDiskThatFillsWhileRunningIsFatalNamingTheFileAndOperation() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mountOrSkip(dir, "3m")) {
            final Path logDir = disk.dir().resolve("log");
            try (FileLogStore log = FileLogStore.open(logDir, PREALLOCATED)) {
                final LogFixtures.Recorder flushed = new LogFixtures.Recorder();
                log.append(LogFixtures.batch(1, 1, 1), flushed);
                log.awaitPreallocation();
                disk.fill(disk.dir().resolve("filler"));
                // fill the first segment until the log must roll onto a segment it cannot preallocate
                final StorageException failure = appendUntilFailure(log, flushed);
                assertTrue(failure.getMessage().matches("cannot preallocate segment " + java.util.regex.Pattern.quote(
                    logDir.toString()) + "/\\d{20}\\.seg \\(1 MiB\\): no space left on " + java.util.regex.Pattern.quote(
                    disk.dir().toString()) + " .*"), failure.getMessage());
                final StorageException later = assertThrows(StorageException.class, () -> log.append(LogFixtures.batch(
                    log.lastLogId().index() + 1, log.lastLogId().index() + 1, 1), flushed));
                assertTrue(later.isFatal() && later.getMessage().contains("unusable")
                    && later.getMessage().contains("cannot preallocate segment"), later.getMessage());
            }
        }
    }

    @Test
    void aWriteThatHitsAFullDiskIsFatalNamingTheSegmentAndTheAppend() throws Exception {
        try (TmpfsMount disk = TmpfsMount.mountOrSkip(dir, "3m")) {
            final Path logDir = disk.dir().resolve("log");
            final FileStorageConfig sparse = PREALLOCATED.toBuilder().preallocate(false).build();
            try (FileLogStore log = FileLogStore.open(logDir, sparse)) {
                final LogFixtures.Recorder flushed = new LogFixtures.Recorder();
                log.append(LogFixtures.batch(1, 1, 1), flushed);
                disk.fill(disk.dir().resolve("filler"));
                final StorageException failure = appendUntilFailure(log, flushed);
                final long next = log.lastLogId().index() + 1;
                final String segment = logDir.resolve("00000000000000000001.seg").toString();
                assertTrue(failure.getMessage().contains("append of entries [" + next + ", " + (next + 99) + "] to " + segment)
                    && failure.getMessage().contains("No space left on device"), failure.getMessage());
                assertEquals(next - 1, log.lastLogId().index(), "the failed append is not counted as held");
                assertThrows(StorageException.class, () -> log.truncateFrom(1));
            }
        }
    }

    /** Appends batches of 100 entries until one fails; the failure must be a fatal StorageException. */
    private static StorageException appendUntilFailure(FileLogStore log, LogFixtures.Recorder flushed) {
        for (long next = log.lastLogId().index() + 1; next < 1_000_000; next += 100) {
            try {
                log.append(LogFixtures.batch(next, next + 99, 1), flushed);
            } catch (StorageException e) {
                assertTrue(e.isFatal(), "not fatal: " + e);
                return e;
            }
        }
        throw new AssertionError("no StorageException while filling the disk");
    }
}
