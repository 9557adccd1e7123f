package dev.raft.core.internal.engine.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Quorum math for a majority and a joint configuration (moved from raft-api's Membership). */
class QuorumTest {
    private static boolean quorum(Membership m, Integer... granted) {
        final Set<Integer> yes = Set.of(granted);
        return Quorum.isQuorum(m, yes::contains);
    }

    private static VoteResult vote(Membership m, Set<Integer> yes, Set<Integer> no) {
        return Quorum.voteResult(m, yes::contains, no::contains);
    }

    @Test
    void singleSetNeedsAStrictMajority() {
        final Membership three = Membership.of(1, 2, 3);
        assertFalse(quorum(three, 1));
        assertTrue(quorum(three, 1, 2));
        final Membership four = Membership.of(1, 2, 3, 4);
        assertFalse(quorum(four, 1, 2), "half of an even set is not a majority");
        assertTrue(quorum(four, 1, 2, 3));
        assertTrue(quorum(Membership.of(5), 5));
        assertFalse(quorum(Membership.of(5)));
    }

    @Test
    void jointNeedsAMajorityOfEachSet() {
        final Membership joint = Membership.joint(new int[] {1, 2, 3}, new int[] {3, 4, 5});
        assertFalse(quorum(joint, 1, 2, 3), "majority of old only");
        assertFalse(quorum(joint, 3, 4, 5), "majority of new only");
        assertTrue(quorum(joint, 1, 3, 4), "majority of both");
        assertTrue(quorum(joint, 2, 3, 5));
        assertFalse(quorum(joint, 1, 2, 4), "1 of the new set is no majority");
    }

    @Test
    void voteResultIsPendingUntilWonOrLost() {
        final Membership three = Membership.of(1, 2, 3);
        assertEquals(VoteResult.PENDING, vote(three, Set.of(1), Set.of()));
        assertEquals(VoteResult.PENDING, vote(three, Set.of(1), Set.of(2)), "3 may still grant");
        assertEquals(VoteResult.WON, vote(three, Set.of(1, 3), Set.of(2)));
        assertEquals(VoteResult.LOST, vote(three, Set.of(1), Set.of(2, 3)));
        final Membership four = Membership.of(1, 2, 3, 4);
        assertEquals(VoteResult.LOST, vote(four, Set.of(1, 2), Set.of(3, 4)), "half is no majority: lost");
        final Membership joint = Membership.joint(new int[] {1, 2, 3}, new int[] {3, 4, 5});
        assertEquals(VoteResult.LOST, vote(joint, Set.of(1, 2, 3), Set.of(4, 5)), "one set lost loses the joint vote");
        assertEquals(VoteResult.PENDING, vote(joint, Set.of(1, 2, 3), Set.of(4)), "the new set is pending");
        assertEquals(VoteResult.WON, vote(joint, Set.of(1, 2, 3, 4), Set.of(5)));
    }

    @Test
    void learnersAreNeverCounted() {
        final Membership m = Membership.of(1, 2, 3).withLearners(4, 5);
        assertFalse(quorum(m, 1, 4, 5), "two learners and one voter are no quorum");
        final long[] scratch = new long[m.maxVoterSetSize()];
        final Map<Integer, Long> match = Map.of(1, 10L, 2, 1L, 3, 1L, 4, 100L, 5, 100L);
        assertEquals(1, Quorum.committedIndex(m, match::get, scratch), "learners' high match indexes must not commit");
    }

    @Test
    void committedIndexIsTheHighestValueAMajorityReached() {
        final long[] scratch = new long[5];
        final Membership three = Membership.of(1, 2, 3);
        assertEquals(7, Quorum.committedIndex(three, id -> Map.of(1, 9L, 2, 7L, 3, 2L).get(id), scratch));
        final Membership four = Membership.of(1, 2, 3, 4);
        assertEquals(5, Quorum.committedIndex(four, id -> Map.of(1, 9L, 2, 7L, 3, 5L, 4, 1L).get(id), scratch),
            "3 of 4 must have reached it");
        final Membership joint = Membership.joint(new int[] {1, 2, 3}, new int[] {3, 4, 5});
        final Map<Integer, Long> match = Map.of(1, 10L, 2, 10L, 3, 6L, 4, 4L, 5, 3L);
        assertEquals(4, Quorum.committedIndex(joint, match::get, scratch), "the smaller of the two sets' values");
        assertEquals(10, Quorum.majorityCommittedIndex(joint, 0, match::get, scratch), "the old set alone");
    }
}
