package dev.raft.testkit.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault-injecting file system keeps exactly what was forced, tears on request, and fails on request. */
class FaultInjectingFileSystemTest {
    @TempDir
    Path real;

    private static void write(FileChannel ch, long position, String text) throws IOException {
        ch.write(ByteBuffer.wrap(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII)), position);
    }

    @Test
    void aCrashKeepsWhatWasForcedAndUndoesTheRest() throws IOException {
        final FaultInjectingFileSystem fs = FaultInjectingFileSystem.create();
        final Path dir = fs.wrap(real);
        final FileChannel ch = FileChannel.open(dir.resolve("a"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        write(ch, 0, "durable.");
        ch.force(false);
        write(ch, 8, "lost-tail");
        write(ch, 0, "OVER");
        assertEquals(3, fs.writes());
        assertEquals(2, fs.crash(real, false));
        assertThrows(IOException.class, () -> write(ch, 0, "x"), "a crashed channel is dead");
        assertThrows(IOException.class, () -> Files.size(dir.resolve("a")), "the directory is frozen until thawed");
        fs.thaw(real);
        assertArrayEquals("durable.".getBytes(java.nio.charset.StandardCharsets.US_ASCII), Files.readAllBytes(real.resolve("a")));
    }

    @Test
    void aTornCrashKeepsHalfOfTheOldestUnforcedWriteAndFollowsRenames() throws IOException {
        final FaultInjectingFileSystem fs = FaultInjectingFileSystem.create();
        final Path dir = fs.wrap(real);
        try (FileChannel ch = FileChannel.open(dir.resolve("tmp"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            write(ch, 0, "head");
            ch.force(true);
            Files.move(dir.resolve("tmp"), dir.resolve("seg"), StandardCopyOption.ATOMIC_MOVE);
            write(ch, 4, "12345678");
            write(ch, 12, "later");
        }
        fs.crash(real, true);
        fs.thaw(real);
        assertEquals("head1234", Files.readString(real.resolve("seg")));
    }

    @Test
    void theNextWriteOrForceFailsOnRequest() throws IOException {
        final FaultInjectingFileSystem fs = FaultInjectingFileSystem.create();
        try (FileChannel ch = FileChannel.open(fs.wrap(real).resolve("f"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            fs.failNextWrite();
            final IOException e = assertThrows(IOException.class, () -> write(ch, 0, "x"));
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
            write(ch, 0, "y");
            fs.failNextForce();
            assertThrows(IOException.class, () -> ch.force(false));
            ch.force(false);
        }
        assertEquals("y", Files.readString(real.resolve("f")));
    }

    @Test
    void anUnsupportedFaultIsReportedWithTheCasesItSkips() {
        final StorageFactory noCrash = new InMemoryStorageFactory(dev.raft.testkit.memory.FlushMode.IMMEDIATE) {
            @Override
            public Optional<String> unsupported(Fault fault) {
                return fault == Fault.CRASH ? Optional.of("no crash hook") : Optional.empty();
            }
        };
        final String report = PrincipleCases.faultReport(StorageConformanceSuite.class, noCrash);
        assertTrue(report.startsWith("fault CRASH unsupported (no crash hook): skips crashAfterTruncateNeverResurrects, "
            + "crashKeepsFlushedEntriesVoteTruncateAndPurge, snapshotCrashBeforeAndAfterFinish; runs without its CRASH steps: "
            + "preconditionsOnBothSidesAfterPurgeTruncateReopenAndCrash, randomLogOperationsMatchTheModel, "
            + "randomSnapshotOperationsMatchTheModel"), report);
        assertEquals("", PrincipleCases.faultReport(StorageConformanceSuite.class, new InMemoryStorageFactory(
            dev.raft.testkit.memory.FlushMode.IMMEDIATE)));
    }

}
