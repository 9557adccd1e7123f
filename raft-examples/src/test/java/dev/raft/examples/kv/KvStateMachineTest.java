package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.storage.file.DurabilityMode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvStateMachineTest {
    private final KvStateMachine sm = new KvStateMachine();
    private final EntryBatch batch = new EntryBatch();
    private long index;

    private KvResult apply(byte[] command) {
        batch.clear().add(1, ++index, EntryType.NORMAL, command);
        return KvCommands.decodeResult(sm.apply(batch.entry(0)));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void incrementCountsFromZeroAndRefusesWhatIsNoCounter() {
        assertEquals("5", apply(KvCommands.increment("n", 5)).valueText(), "an absent key counts as 0; OK answers the new value");
        assertEquals("3", apply(KvCommands.increment("n", -2)).valueText());
        assertEquals("3", apply(KvCommands.get("n")).valueText(), "kept as decimal text");
        apply(KvCommands.put("s", b("text")));
        final KvResult notACounter = apply(KvCommands.increment("s", 1));
        assertEquals(KvResult.Status.NOT_A_COUNTER, notACounter.status());
        assertEquals("text", notACounter.valueText(), "answers the current value and changes nothing");
        apply(KvCommands.put("max", b(Long.toString(Long.MAX_VALUE))));
        assertEquals(KvResult.Status.NOT_A_COUNTER, apply(KvCommands.increment("max", 1)).status(), "an overflow changes nothing");
        assertEquals(Long.toString(Long.MAX_VALUE), apply(KvCommands.get("max")).valueText());
    }

    @Test
    void putGetDeleteAndCompareAndSet() {
        assertEquals(KvResult.Status.NOT_FOUND, apply(KvCommands.get("a")).status());
        assertEquals(0, apply(KvCommands.put("a", b("1"))).value().length);
        assertEquals("1", apply(KvCommands.put("a", b("2"))).valueText(), "PUT answers the previous value");
        assertEquals("2", apply(KvCommands.get("a")).valueText());

        final KvResult failed = apply(KvCommands.compareAndSet("a", b("1"), b("3")));
        assertEquals(KvResult.Status.CAS_FAILED, failed.status());
        assertEquals("2", failed.valueText(), "a failed CAS answers the current value");
        assertEquals(KvResult.Status.OK, apply(KvCommands.compareAndSet("a", b("2"), b("3"))).status());
        assertEquals(KvResult.Status.CAS_FAILED, apply(KvCommands.compareAndSet("a", null, b("4"))).status());
        assertEquals(KvResult.Status.OK, apply(KvCommands.compareAndSet("b", null, b("x"))).status());
        assertEquals(KvResult.Status.CAS_FAILED, apply(KvCommands.compareAndSet("c", b(""), b("y"))).status(),
            "expecting a value (even an empty one) fails on a missing key");

        assertEquals("3", apply(KvCommands.delete("a")).valueText());
        assertEquals(KvResult.Status.NOT_FOUND, apply(KvCommands.delete("a")).status());
        assertEquals(1, sm.size());
        assertEquals(LogId.of(1, index), sm.lastApplied());
    }

    @Test
    void aQueryAnswersAGetFromTheAppliedMapAndRefusesAnythingElse() {
        apply(KvCommands.put("a", b("1")));
        final LogId applied = sm.lastApplied();
        final byte[] get = KvCommands.get("a");
        assertEquals("1", KvCommands.decodeResult(sm.query(new org.agrona.concurrent.UnsafeBuffer(get), 0, get.length))
            .valueText());
        final byte[] missing = KvCommands.get("zz");
        assertEquals(KvResult.Status.NOT_FOUND, KvCommands.decodeResult(
            sm.query(new org.agrona.concurrent.UnsafeBuffer(missing), 0, missing.length)).status());
        final byte[] put = KvCommands.put("a", b("2"));
        assertEquals(KvResult.Status.MALFORMED, KvCommands.decodeResult(
            sm.query(new org.agrona.concurrent.UnsafeBuffer(put), 0, put.length)).status(), "a write is no query");
        final byte[] framed = new byte[get.length + 5];
        System.arraycopy(get, 0, framed, 3, get.length);
        assertEquals("1", KvCommands.decodeResult(sm.query(new org.agrona.concurrent.UnsafeBuffer(framed), 3, get.length))
            .valueText(), "a query at an offset");
        assertEquals("1", apply(KvCommands.get("a")).valueText(), "the query changed nothing");
        assertEquals(applied.index() + 1, sm.lastApplied().index());
    }

    @Test
    void malformedCommandsChangeNothingButAdvanceTheAppliedIndex() {
        apply(KvCommands.put("k", b("v")));
        assertEquals(KvResult.Status.MALFORMED, apply(new byte[] {1, 2, 3}).status());
        final byte[] truncated = KvCommands.put("k", b("other"));
        assertEquals(KvResult.Status.MALFORMED, apply(java.util.Arrays.copyOf(truncated, truncated.length - 3)).status());
        assertEquals("v", new String(sm.value("k"), StandardCharsets.UTF_8));
        assertEquals(3, sm.lastApplied().index());
    }

    @Test
    void blankEntriesAdvanceTheAppliedIndexOnly() {
        batch.clear().add(2, 1, EntryType.BLANK, new byte[0]);
        assertEquals(null, sm.apply(batch.entry(0)));
        assertEquals(LogId.of(2, 1), sm.lastApplied());
        batch.clear().add(2, 3, EntryType.BLANK, new byte[0]);
        assertThrows(IllegalStateException.class, () -> sm.apply(batch.entry(0)), "a gap in the applied indexes");
    }

    @Test
    void theSnapshotIsTheWholeMapAndRestoresExactly() throws IOException {
        for (int i = 0; i < 100; i++) {
            apply(KvCommands.put("key-" + i, b("value-" + i)));
        }
        final var writer = sm.takeSnapshot();
        apply(KvCommands.put("after", b("snapshot")));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        writer.writeTo(bytes);
        assertEquals(LogId.of(1, 100), writer.lastApplied());

        final KvStateMachine restored = new KvStateMachine();
        final SnapshotMeta meta = new SnapshotMeta("1-100-x", LogId.of(1, 100), Membership.of(1, 2, 3));
        restored.restore(meta, new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(100, restored.size(), "the snapshot holds the state captured, not later entries");
        assertArrayEquals(b("value-42"), restored.value("key-42"));
        assertEquals(LogId.of(1, 100), restored.lastApplied());

        final SnapshotMeta other = new SnapshotMeta("1-99-x", LogId.of(1, 99), Membership.of(1, 2, 3));
        final IOException e = assertThrows(IOException.class,
            () -> new KvStateMachine().restore(other, new ByteArrayInputStream(bytes.toByteArray())));
        assertTrue(e.getMessage().contains("meta says 1-99") || e.getMessage().contains("meta says"), e.getMessage());
        final byte[] garbage = bytes.toByteArray().clone();
        garbage[0] = 0;
        assertThrows(IOException.class, () -> new KvStateMachine().restore(meta, new ByteArrayInputStream(garbage)));
    }

    @Test
    void aDataDirectoryOfAnotherNodeOrClusterIsRefused(@TempDir Path dir) throws IOException {
        final Map<Integer, String> members = Map.of(1, "127.0.0.1:9000", 2, "127.0.0.1:9002", 3, "127.0.0.1:9004");
        KvNode.claimDirectory(KvNode.Options.of(7, 1, members, dir, DurabilityMode.FSYNC));
        KvNode.claimDirectory(KvNode.Options.of(7, 1, members, dir, DurabilityMode.NO_FSYNC));

        final IllegalStateException otherNode = assertThrows(IllegalStateException.class,
            () -> KvNode.claimDirectory(KvNode.Options.of(7, 2, members, dir, DurabilityMode.FSYNC)));
        assertTrue(otherNode.getMessage().contains("belongs to node 1 of cluster 7 (members 1,2,3); refusing to start it as node 2"),
            otherNode.getMessage());
        final IllegalStateException otherCluster = assertThrows(IllegalStateException.class,
            () -> KvNode.claimDirectory(KvNode.Options.of(8, 1, members, dir, DurabilityMode.FSYNC)));
        assertTrue(otherCluster.getMessage().contains("as node 1 of cluster 8"), otherCluster.getMessage());

        final Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign.resolve("log"));
        final IllegalStateException notOurs = assertThrows(IllegalStateException.class,
            () -> KvNode.claimDirectory(KvNode.Options.of(7, 1, members, foreign, DurabilityMode.FSYNC)));
        assertTrue(notOurs.getMessage().contains("is not empty and has no raftkv.identity"), notOurs.getMessage());
    }
}
