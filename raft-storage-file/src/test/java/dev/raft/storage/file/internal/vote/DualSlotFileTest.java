package dev.raft.storage.file.internal.vote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.error.CorruptStorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DualSlotFileTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("vote");
    }

    private void corrupt(int offset) throws IOException {
        final byte[] bytes = Files.readAllBytes(file());
        bytes[offset] ^= 0x01;
        Files.write(file(), bytes);
    }

    @Test
    void createdWithInitialValuesInBothSlots() {
        try (DualSlotFile f = DualSlotFile.open(file(), 7, 9)) {
            assertEquals(7, f.first());
            assertEquals(9, f.second());
        }
        assertTrue(Files.exists(file()));
    }

    @Test
    void writesAlternateAndTheNewestWins() throws IOException {
        try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
            f.write(1, 1);
            f.write(2, 2);
            f.write(3, 3);
            assertEquals(3, f.sequence());
        }
        final byte[] bytes = Files.readAllBytes(file());
        // sequence 3 went to slot 1, sequence 2 to slot 0
        assertEquals(3, bytes[DualSlotFile.SLOT_STRIDE + 4]);
        assertEquals(2, bytes[4]);
        try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
            assertEquals(3, f.first());
            assertEquals(3, f.second());
        }
    }

    @Test
    void aTornNewerSlotFallsBackToTheOlderValue() throws IOException {
        try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
            f.write(5, 1);
            f.write(6, 2);
        }
        // sequence 2 (6, 2) is in slot 0: tear it
        for (int offset = 0; offset < DualSlotFile.SLOT_BYTES; offset++) {
            corrupt(offset);
            try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
                assertEquals(5, f.first(), "torn byte " + offset);
                assertEquals(1, f.second());
            }
            corrupt(offset);
        }
        try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
            assertEquals(6, f.first());
        }
    }

    @Test
    void bothSlotsCorruptIsReported() throws IOException {
        try (DualSlotFile f = DualSlotFile.open(file(), 0, 0)) {
            f.write(5, 1);
        }
        corrupt(10);
        corrupt(DualSlotFile.SLOT_STRIDE + 10);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> DualSlotFile.open(file(), 0, 0));
        assertEquals(file().toString(), e.file());
        assertTrue(e.getMessage().contains("slot 0 at byte 0") && e.getMessage().contains("slot 1 at byte 4096"), e.getMessage());
    }

    @Test
    void leftoverTemporaryFileFromAnInterruptedCreateIsReplaced() throws IOException {
        Files.write(dir.resolve("vote.tmp"), new byte[3]);
        try (DualSlotFile f = DualSlotFile.open(file(), 4, 4)) {
            assertEquals(4, f.first());
        }
    }
}
