package dev.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VoteTest {
    @Test
    void initialVoteHasNotVoted() {
        assertEquals(0, Vote.INITIAL.term());
        assertFalse(Vote.INITIAL.hasVoted());
        assertTrue(new Vote(3, 2).hasVoted());
        assertEquals(new Vote(3, 2), new Vote(3, 2));
    }

    @Test
    void rejectsNegativeFields() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Vote(-1, 0)).getMessage().contains("term"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Vote(1, -2)).getMessage().contains("votedFor"));
    }

    @Test
    void nodeIdRules() {
        assertTrue(NodeId.isValid(1));
        assertFalse(NodeId.isValid(NodeId.NONE));
        assertEquals(7, NodeId.require(7, "x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeId.require(0, "RaftConfig.nodeId"))
            .getMessage().startsWith("RaftConfig.nodeId"));
    }

    @Test
    void entryTypeCodesAreStable() {
        for (EntryType type : EntryType.values()) {
            assertEquals(type, EntryType.fromCode(type.code()));
            assertTrue(EntryType.isKnownCode(type.code()));
        }
        assertEquals(0, EntryType.BLANK.code());
        assertEquals(1, EntryType.NORMAL.code());
        assertEquals(2, EntryType.MEMBERSHIP.code());
        assertFalse(EntryType.isKnownCode(3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EntryType.fromCode(9)).getMessage().contains("9"));
    }
}
