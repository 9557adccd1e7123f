package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The floor a client reports is the lowest call still in flight, never above the sending call's own sequence. */
class SessionSequencesTest {
    @Test
    void theFloorIsTheLowestSequenceInFlight() {
        final SessionSequences s = new SessionSequences();
        final long first = s.begin();
        final long second = s.begin();
        assertEquals(1, first);
        assertEquals(2, second);
        assertEquals(1, s.ackedBelow(second), "the first call has no outcome yet");
        s.end(second);
        assertEquals(1, s.ackedBelow(first));
        s.end(first);
        final long third = s.begin();
        assertEquals(3, s.ackedBelow(third), "every earlier call has its outcome");
    }
}
