package dev.raft.core.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The decorator's rules, one at a time, on a counting application, deterministically. */
class SessionStateMachineTest {
    private static final long EXPIRY = 60_000;
    private static final long T0 = 1_000_000;
    private static final SessionLimits LIMITS = new SessionLimits(3, 4, 1 << 20, 64, EXPIRY);

    /** One replica: the decorator, its application, and the next log index. */
    private static final class Replica {
        final CountingApplication app = new CountingApplication();
        final SessionStateMachine sm;
        long index;

        Replica(SessionLimits limits) {
            sm = new SessionStateMachine(app, limits);
        }

        SessionResponse apply(byte[] payload) {
            return SessionResponse.decode(applyRaw(EntryType.NORMAL, payload));
        }

        byte[] applyRaw(EntryType type, byte[] payload) {
            index++;
            return sm.apply(new EntryBatch().add(1, index, type, payload).entry(0));
        }

        SessionResponse call(long client, long sequence, long ackedBelow, long stamp, int command) {
            return apply(SessionCommand.encode(client, sequence, ackedBelow, stamp, new byte[] {(byte) command}));
        }
    }

    @Test
    void aRetryIsAnsweredFromTheTableAndNotAppliedAgain() {
        final Replica r = new Replica(LIMITS);
        final SessionResponse first = r.call(7, 1, 1, T0, 'a');
        assertEquals(SessionStatus.APPLIED, first.status());
        final SessionResponse retry = r.call(7, 1, 1, T0 + 5, 'a');
        assertEquals(SessionStatus.REPLAYED, retry.status());
        assertArrayEquals(first.response(), retry.response(), "the retry gets the first application's answer");
        assertEquals(1, r.app.executed, "applied once");
        assertEquals(LogId.of(1, 2), r.sm.lastApplied(), "the application still advanced past the retry's entry");
        assertEquals(1, r.sm.count(SessionStatus.REPLAYED));
    }

    @Test
    void sequencesInFlightTogetherMayApplyInAnyOrder() {
        final Replica r = new Replica(LIMITS);
        assertEquals(SessionStatus.APPLIED, r.call(7, 3, 1, T0, 'c').status());
        assertEquals(SessionStatus.APPLIED, r.call(7, 1, 1, T0, 'a').status());
        assertEquals(SessionStatus.APPLIED, r.call(7, 2, 1, T0, 'b').status());
        assertEquals(SessionStatus.REPLAYED, r.call(7, 3, 1, T0, 'c').status());
        assertEquals(3, r.app.executed);
    }

    @Test
    void aSequenceBelowTheAcknowledgedFloorIsStale() {
        final Replica r = new Replica(LIMITS);
        r.call(7, 1, 1, T0, 'a');
        r.call(7, 2, 1, T0, 'b');
        assertEquals(SessionStatus.APPLIED, r.call(7, 3, 3, T0, 'c').status(), "the client has the answers of 1 and 2");
        final SessionResponse late = r.call(7, 2, 2, T0, 'b');
        assertEquals(SessionStatus.STALE_SEQUENCE, late.status());
        assertNull(late.response());
        assertEquals(SessionStatus.STALE_SEQUENCE, r.call(7, 1, 1, T0, 'a').status());
        assertEquals(3, r.app.executed, "a stale duplicate is never applied");
        assertEquals(LogId.of(1, 5), r.sm.lastApplied());
    }

    @Test
    void anUnknownClientThatHadAnswersIsRefusedAsExpired() {
        final Replica r = new Replica(LIMITS);
        assertEquals(SessionStatus.SESSION_EXPIRED, r.call(9, 5, 4, T0, 'x').status());
        assertEquals(0, r.app.executed);
        assertFalse(r.sm.hasSession(9), "a refused command opens no session");
    }

    @Test
    void sessionsExpireThroughTheLogAtTheSameIndexOnEveryReplica() {
        final Replica a = new Replica(LIMITS);
        final Replica b = new Replica(LIMITS);
        // the same log on both replicas; stamps as two successive leaders wrote them (the second one's clock behind)
        final byte[][] log = {
            SessionCommand.encode(1, 1, 1, T0, new byte[] {1}),
            SessionCommand.encode(2, 1, 1, T0 + 10_000, new byte[] {2}),
            SessionCommand.encode(2, 2, 2, T0 + 5_000, new byte[] {2}), // a clock behind: the table's clock stays
            SessionCommand.unsessioned(T0 + EXPIRY, new byte[] {0}), // client 1 idle exactly the expiry: kept
            SessionCommand.unsessioned(T0 + EXPIRY + 1, new byte[] {0}), // now idle longer: expires here
            SessionCommand.encode(1, 2, 2, T0 + EXPIRY + 2, new byte[] {1}), // its retry: refused
        };
        final boolean[][] has = new boolean[log.length][];
        for (int i = 0; i < log.length; i++) {
            final SessionResponse ra = a.apply(log[i]);
            final SessionResponse rb = b.apply(log[i]);
            assertEquals(ra.status(), rb.status(), "entry " + (i + 1));
            assertEquals(a.sm.hasSession(1), b.sm.hasSession(1), "entry " + (i + 1));
            assertEquals(a.sm.hasSession(2), b.sm.hasSession(2), "entry " + (i + 1));
            has[i] = new boolean[] {a.sm.hasSession(1), a.sm.hasSession(2)};
        }
        assertTrue(has[3][0], "idle for exactly the expiry: still open");
        assertFalse(has[4][0], "expired at the first entry whose stamp puts it past the expiry");
        assertTrue(has[4][1]);
        assertEquals(T0 + EXPIRY + 2, a.sm.clockMillis());
        assertEquals(SessionStatus.SESSION_EXPIRED, SessionResponse.decode(a.sm.apply(
            new EntryBatch().add(1, ++a.index, EntryType.NORMAL, SessionCommand.encode(1, 3, 3, T0, new byte[] {1})).entry(0)))
            .status());
        assertEquals(1, a.sm.expired());
    }

    @Test
    void theClockNeverGoesBackAndOnlyEnvelopesMoveIt() {
        final Replica r = new Replica(LIMITS);
        r.call(1, 1, 1, T0, 1);
        r.call(1, 2, 1, T0 - 50_000, 1);
        assertEquals(T0, r.sm.clockMillis());
        r.applyRaw(EntryType.BLANK, new byte[0]);
        assertEquals(T0, r.sm.clockMillis());
    }

    @Test
    void theTableSurvivesASnapshotRoundTrip() throws IOException {
        final Replica r = new Replica(LIMITS);
        final SessionResponse first = r.call(7, 1, 1, T0, 'a');
        r.call(8, 1, 1, T0 + 1, 'b');
        r.call(8, 2, 2, T0 + 2, 'c');
        final byte[] snapshot = snapshotOf(r.sm);
        final Replica restored = new Replica(LIMITS);
        restored.sm.restore(meta(r.sm.lastApplied()), new ByteArrayInputStream(snapshot));
        restored.index = r.index;
        assertEquals(r.sm.lastApplied(), restored.sm.lastApplied());
        assertEquals(2, restored.sm.sessions());
        assertEquals(T0 + 2, restored.sm.clockMillis());
        final SessionResponse replay = restored.call(7, 1, 1, T0 + 3, 'a');
        assertEquals(SessionStatus.REPLAYED, replay.status());
        assertArrayEquals(first.response(), replay.response());
        assertEquals(SessionStatus.STALE_SEQUENCE, restored.call(8, 1, 1, T0 + 3, 'b').status());
        assertEquals(3, restored.app.executed, "the application's state came back too");
        r.call(7, 1, 1, T0 + 3, 'a');
        r.call(8, 1, 1, T0 + 3, 'b');
        assertArrayEquals(snapshotOf(r.sm), snapshotOf(restored.sm), "the same table after the same log");
    }

    @Test
    void orderOfActivityAndExpirySurviveASnapshot() throws IOException {
        final Replica r = new Replica(LIMITS);
        r.call(1, 1, 1, T0, 1);
        r.call(2, 1, 1, T0 + 10, 2);
        r.call(1, 2, 1, T0 + 20, 1); // client 1 is now the most recently active
        final Replica restored = new Replica(LIMITS);
        restored.sm.restore(meta(r.sm.lastApplied()), new ByteArrayInputStream(snapshotOf(r.sm)));
        restored.index = r.index;
        restored.apply(SessionCommand.unsessioned(T0 + 10 + EXPIRY + 1, new byte[] {0}));
        assertFalse(restored.sm.hasSession(2), "client 2 was idle longest");
        assertTrue(restored.sm.hasSession(1));
    }

    @Test
    void aCorruptTableNamesTheField() throws IOException {
        final Replica r = new Replica(LIMITS);
        r.call(7, 1, 1, T0, 'a');
        final byte[] good = snapshotOf(r.sm);
        assertCorrupt(patchInt(good, 0, 0x12345678), "field 'magic'");
        assertCorrupt(patchInt(good, 4, 2), "field 'version'");
        assertCorrupt(patchInt(good, 16, 1_000_000), "field 'sessionCount' = 1000000");
        assertCorrupt(patchLong(good, 20, 0), "field 'sessions[0].clientId' = 0");
        assertCorrupt(patchLong(good, 28, 0), "field 'sessions[0].ackedBelow' = 0");
        assertCorrupt(patchLong(good, 36, T0 + 1), "field 'sessions[0].lastActive'");
        assertCorrupt(patchInt(good, 44, -1), "field 'sessions[0].responseCount' = -1");
        assertCorrupt(patchLong(good, 48, 0), "field 'sessions[0].responses[0].sequence' = 0");
        assertCorrupt(patchByte(good, 56, 9), "field 'sessions[0].responses[0].kind' = 9");
        assertCorrupt(patchInt(good, 57, Integer.MAX_VALUE), "field 'sessions[0].responses[0].length' = 2147483647");
        assertCorrupt(Arrays.copyOf(good, 50), "truncated in field 'sessions[0].responses[0].sequence' at byte 48");
    }

    private static void assertCorrupt(byte[] snapshot, String expected) {
        final IOException e = assertThrows(IOException.class, () -> new SessionStateMachine(new CountingApplication(), LIMITS)
            .restore(meta(LogId.of(1, 1)), new ByteArrayInputStream(snapshot)));
        assertTrue(e.getMessage().contains(expected), e.getMessage() + " should name " + expected);
        assertTrue(e.getMessage().startsWith("session snapshot snap-1: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void aFullTableRefusesNewClientsAndAFullSessionRefusesNewSequences() {
        final Replica r = new Replica(LIMITS); // 3 sessions, 4 responses each
        for (long client = 1; client <= 3; client++) {
            assertEquals(SessionStatus.APPLIED, r.call(client, 1, 1, T0, 1).status());
        }
        final SessionResponse refused = r.call(4, 1, 1, T0, 1);
        assertEquals(SessionStatus.TABLE_FULL, refused.status());
        assertFalse(refused.status().applied());
        for (long seq = 2; seq <= 4; seq++) {
            assertEquals(SessionStatus.APPLIED, r.call(1, seq, 1, T0, 1).status());
        }
        assertEquals(SessionStatus.SESSION_FULL, r.call(1, 5, 1, T0, 1).status(), "4 unacknowledged answers kept");
        assertEquals(SessionStatus.REPLAYED, r.call(1, 4, 1, T0, 1).status(), "retries are still answered");
        assertEquals(SessionStatus.APPLIED, r.call(1, 5, 3, T0, 1).status(), "acknowledging frees room");
        assertEquals(7, r.app.executed);
    }

    @Test
    void theTableRefusesCommandsOnceItsResponsesReachTheByteCap() {
        final Replica r = new Replica(new SessionLimits(10, 10, 20, 64, EXPIRY));
        r.call(1, 1, 1, T0, 1); // 9 bytes kept
        r.call(1, 2, 1, T0, 1); // 18
        r.call(1, 3, 1, T0, 1); // 27: over the cap by one response at most
        assertEquals(SessionStatus.TABLE_FULL, r.call(1, 4, 1, T0, 1).status());
        assertEquals(SessionStatus.TABLE_FULL, r.call(2, 1, 1, T0, 1).status());
        assertEquals(SessionStatus.APPLIED, r.call(1, 4, 4, T0, 1).status(), "acknowledged answers are dropped");
    }

    @Test
    void aResponseTooLongToKeepIsDeliveredOnceAndItsRetryKnowsItWasApplied() throws IOException {
        final Replica r = new Replica(new SessionLimits(10, 10, 1 << 20, 8, EXPIRY));
        final SessionResponse first = r.call(1, 1, 1, T0, 1);
        assertEquals(9, first.response().length);
        final SessionResponse retry = r.call(1, 1, 1, T0, 1);
        assertEquals(SessionStatus.REPLAYED_WITHOUT_RESPONSE, retry.status());
        assertTrue(retry.status().applied());
        assertEquals(1, r.app.executed);
        final Replica restored = new Replica(new SessionLimits(10, 10, 1 << 20, 8, EXPIRY));
        restored.sm.restore(meta(r.sm.lastApplied()), new ByteArrayInputStream(snapshotOf(r.sm)));
        restored.index = r.index;
        assertEquals(SessionStatus.REPLAYED_WITHOUT_RESPONSE, restored.call(1, 1, 1, T0, 1).status());
    }

    @Test
    void commandsWithoutASessionAreAppliedEveryTime() {
        final Replica r = new Replica(LIMITS);
        final byte[] read = SessionCommand.unsessioned(T0, new byte[] {'g'});
        assertEquals(SessionStatus.APPLIED, r.apply(read).status());
        assertEquals(SessionStatus.APPLIED, r.apply(read).status());
        assertEquals(2, r.app.executed);
        assertEquals(0, r.sm.sessions());
    }

    @Test
    void malformedEnvelopesAreRefusedAndTheApplicationStillAdvances() {
        final Replica r = new Replica(LIMITS);
        assertEquals(SessionStatus.MALFORMED, r.apply(new byte[] {1, 2, 3}).status());
        final byte[] foreign = SessionCommand.encode(1, 1, 1, T0, new byte[] {1});
        foreign[0] ^= 1;
        assertEquals(SessionStatus.MALFORMED, r.apply(foreign).status());
        final byte[] inconsistent = SessionCommand.encode(1, 1, 1, T0, new byte[] {1});
        ByteBuffer.wrap(inconsistent).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(20, 2); // ackedBelow > sequence
        assertEquals(SessionStatus.MALFORMED, r.apply(inconsistent).status());
        assertEquals(0, r.app.executed);
        assertEquals(LogId.of(1, 3), r.sm.lastApplied());
        assertThrows(IllegalArgumentException.class, () -> SessionCommand.encode(1, 0, 0, T0, new byte[0]));
    }

    @Test
    void otherEntriesPassThrough() {
        final Replica r = new Replica(LIMITS);
        assertNull(r.applyRaw(EntryType.BLANK, new byte[0]));
        assertEquals(LogId.of(1, 1), r.sm.lastApplied());
    }

    @Test
    void responsesDecodeStrictly() {
        assertThrows(IllegalArgumentException.class, () -> SessionResponse.decode(new byte[] {0}));
        assertThrows(IllegalArgumentException.class, () -> SessionResponse.decode(new byte[] {42, 0}));
        assertThrows(IllegalArgumentException.class, () -> SessionResponse.decode(new byte[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> SessionResponse.decode(new byte[] {0, 0, 5}));
        assertNull(SessionResponse.decode(new byte[] {1, 0}).response());
    }

    private static SnapshotMeta meta(LogId last) {
        return new SnapshotMeta("snap-1", last, Membership.of(1, 2, 3));
    }

    private static byte[] snapshotOf(SessionStateMachine sm) throws IOException {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        sm.takeSnapshot().writeTo(out);
        return out.toByteArray();
    }

    private static byte[] patchInt(byte[] bytes, int at, int value) {
        final byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    private static byte[] patchLong(byte[] bytes, int at, long value) {
        final byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).putLong(at, value);
        return copy;
    }

    private static byte[] patchByte(byte[] bytes, int at, int value) {
        final byte[] copy = bytes.clone();
        copy[at] = (byte) value;
        return copy;
    }
}
