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

    /** addAll copies a range in bulk (one payload copy, shifted offsets) behind entries already there, with add's rules. */
    @Test
    void addAllAppendsARangeBehindExistingEntriesWithAddsRules() {
        final EntryBatch source = new EntryBatch(8);
        for (int i = 1; i <= 20; i++) {
            source.add(i < 10 ? 2 : 3, i, i % 5 == 0 ? EntryType.BLANK : EntryType.NORMAL, bytes(i % 5 == 0 ? "" : "s-" + i));
        }
        final EntryBatch target = new EntryBatch(8);
        target.add(1, 4, EntryType.NORMAL, bytes("t-4")).add(2, 5, EntryType.MEMBERSHIP, bytes("t-5"));
        target.addAll(source, 5, 17); // indexes 6..17
        assertEquals(4, target.firstIndex());
        assertEquals(17, target.lastIndex());
        assertArrayEquals(bytes("t-5"), target.entry(1).toEntry().data());
        for (int i = 6; i <= 17; i++) {
            final Entry copied = target.entry(i - 4).toEntry();
            assertEquals(source.entry(i - 1).toEntry(), copied, "entry " + i);
        }
        assertEquals(bytes("t-4").length + bytes("t-5").length + source.payloadBytes() - bytes("s-1").length
            - bytes("s-2").length - bytes("s-3").length - bytes("s-4").length - bytes("s-18").length - bytes("s-19").length,
            target.payloadBytes());
        assertThrows(IllegalArgumentException.class, () -> target.addAll(source, 18, 20), "index 19 does not follow 17");
        assertThrows(IllegalArgumentException.class, () -> new EntryBatch().add(4, 5, EntryType.NORMAL, bytes("x"))
            .addAll(source, 5, 6), "term 3 of index 6 below term 4");
        assertThrows(IndexOutOfBoundsException.class, () -> target.addAll(source, 19, 21));
        assertEquals(17, target.lastIndex(), "a refused addAll adds nothing");
        target.addAll(target, 0, 0);
        target.truncate(13).addAll(source, 16, 18); // keeps indexes 4..16
        assertEquals(18, target.lastIndex());
        assertArrayEquals(bytes("s-18"), target.entry(14).toEntry().data());
        assertEquals(source.entry(16).toEntry(), target.entry(13).toEntry());
    }
}
