package dev.raft.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EntryBatchTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void holdsConsecutiveEntriesAndCopiesPayloads() {
        final EntryBatch batch = new EntryBatch(4);
        final byte[] first = bytes("hello");
        batch.add(1, 5, EntryType.BLANK, new byte[0]).add(1, 6, EntryType.NORMAL, first).add(2, 7, EntryType.NORMAL, bytes("world!"));
        first[0] = 'X';
        assertEquals(3, batch.size());
        assertEquals(5, batch.firstIndex());
        assertEquals(7, batch.lastIndex());
        assertEquals(2, batch.lastTerm());
        assertEquals(11, batch.payloadBytes());
        assertEquals(Entry.normal(1, 6, bytes("hello")), batch.entry(1).toEntry(), "payload was copied on add");
        assertEquals(Entry.blank(1, 5), batch.entry(0).toEntry());
        assertEquals(EntryType.NORMAL, batch.type(2));
        assertEquals(6, batch.payloadLength(2));
        assertSame(batch.entry(0), batch.entry(1), "one reusable view");
    }

    @Test
    void rejectsGapsAndDecreasingTerms() {
        final EntryBatch batch = new EntryBatch().add(2, 10, EntryType.NORMAL, new byte[1]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(2, 12, EntryType.NORMAL, new byte[1]))
            .getMessage().contains("expected 11"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> batch.add(1, 11, EntryType.NORMAL, new byte[1]))
            .getMessage().contains("lower than the previous"));
        assertThrows(IllegalArgumentException.class, () -> new EntryBatch().add(0, 1, EntryType.NORMAL, new byte[0]));
        assertThrows(IndexOutOfBoundsException.class, () -> batch.entry(1));
    }

    @Test
    void growsTruncatesAndClears() {
        final EntryBatch batch = new EntryBatch(8);
        for (int i = 1; i <= 1000; i++) {
            batch.add(1, i, EntryType.NORMAL, bytes("entry-" + i));
        }
        assertEquals(1000, batch.size());
        assertArrayEquals(bytes("entry-777"), batch.entry(776).toEntry().data());
        batch.truncate(10);
        assertEquals(10, batch.lastIndex());
        assertEquals(bytes("entry-1").length * 9 + bytes("entry-10").length, batch.payloadBytes());
        batch.add(3, 11, EntryType.NORMAL, bytes("after"));
        assertArrayEquals(bytes("after"), batch.entry(10).toEntry().data());
        final EntryBatch copy = new EntryBatch().addAll(batch, 5, 11);
        assertEquals(6, copy.firstIndex());
        assertEquals(11, copy.lastIndex());
        batch.clear();
        assertTrue(batch.isEmpty());
        assertEquals(0, batch.lastIndex());
        batch.add(9, 100, EntryType.NORMAL, bytes("new start"));
        assertEquals(100, batch.firstIndex());
    }
}
