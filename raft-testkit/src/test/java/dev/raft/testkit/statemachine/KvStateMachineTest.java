package dev.raft.testkit.statemachine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.raft.api.Entry;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The test state machine: commands, digest, snapshot round trip. */
class KvStateMachineTest {
    @Test
    void putAndGetRespondAndTheDigestFollowsTheOrder() {
        final KvStateMachine a = new KvStateMachine();
        assertEquals(0, a.apply(Entry.normal(1, 1, KvStateMachine.put("k", new byte[] {1}))).length);
        assertArrayEquals(new byte[] {1}, a.apply(Entry.normal(1, 2, KvStateMachine.put("k", new byte[] {2}))));
        assertArrayEquals(new byte[] {2}, a.apply(Entry.normal(1, 3, KvStateMachine.get("k"))));
        final KvStateMachine b = new KvStateMachine();
        b.apply(Entry.normal(1, 1, KvStateMachine.put("k", new byte[] {2})));
        b.apply(Entry.normal(1, 2, KvStateMachine.put("k", new byte[] {1})));
        b.apply(Entry.normal(1, 3, KvStateMachine.get("k")));
        assertNotEquals(a.digest(), b.digest(), "a different order gives a different digest");
        assertThrows(IllegalStateException.class, () -> a.apply(Entry.blank(1, 9)), "entries apply in order");
    }

    @Test
    void snapshotRestoresTheCapturedStateEvenAfterLaterApplies() throws Exception {
        final KvStateMachine a = new KvStateMachine();
        a.apply(Entry.normal(1, 1, KvStateMachine.put("x", new byte[] {7})));
        a.apply(Entry.blank(2, 2));
        final SnapshotWriter writer = a.takeSnapshot();
        final String captured = a.fingerprint();
        a.apply(Entry.normal(2, 3, KvStateMachine.put("y", new byte[] {8})));
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        assertEquals(LogId.of(2, 2), writer.lastApplied());
        final KvStateMachine b = new KvStateMachine();
        b.restore(new SnapshotMeta("s", LogId.of(2, 2), Membership.of(1)), new ByteArrayInputStream(out.toByteArray()));
        assertEquals(captured, b.fingerprint());
        assertArrayEquals(new byte[] {7}, b.value("x"));
        assertEquals(null, b.value("y"));
    }
}
