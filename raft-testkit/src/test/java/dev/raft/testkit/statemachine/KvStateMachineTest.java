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
    void casSetsOnlyWhenTheExpectedValueOrAbsenceMatches() {
        final KvStateMachine a = new KvStateMachine();
        assertEquals(false, KvStateMachine.swapped(a.apply(Entry.normal(1, 1,
            KvStateMachine.cas("k", new byte[] {1}, new byte[] {2})))), "absent key does not match a value");
        assertEquals(null, a.value("k"));
        assertEquals(true, KvStateMachine.swapped(a.apply(Entry.normal(1, 2, KvStateMachine.cas("k", null, new byte[] {3})))),
            "absent key matches null");
        assertArrayEquals(new byte[] {3}, a.value("k"));
        assertEquals(false, KvStateMachine.swapped(a.apply(Entry.normal(1, 3, KvStateMachine.cas("k", null, new byte[] {4})))),
            "present key does not match null");
        assertEquals(false, KvStateMachine.swapped(a.apply(Entry.normal(1, 4,
            KvStateMachine.cas("k", new byte[] {3, 0}, new byte[] {5})))), "a longer expected value does not match");
        assertEquals(true, KvStateMachine.swapped(a.apply(Entry.normal(1, 5,
            KvStateMachine.cas("k", new byte[] {3}, new byte[] {6, 6})))));
        assertArrayEquals(new byte[] {6, 6}, a.value("k"));
        assertEquals(0, a.apply(Entry.normal(1, 6, new byte[] {3, 0, 0, 0, 9, 0, 0, 0, 0})).length,
            "a malformed CAS changes nothing");
        assertArrayEquals(new byte[] {6, 6}, a.value("k"));
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
