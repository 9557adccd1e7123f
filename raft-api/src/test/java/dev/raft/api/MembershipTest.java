package dev.raft.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MembershipTest {
    private static boolean quorum(Membership m, Integer... granted) {
        final Set<Integer> yes = Set.of(granted);
        return m.isQuorum(yes::contains);
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
        assertTrue(joint.isJoint());
        assertFalse(quorum(joint, 1, 2, 3), "majority of old only");
        assertFalse(quorum(joint, 3, 4, 5), "majority of new only");
        assertTrue(quorum(joint, 1, 3, 4), "majority of both");
        assertTrue(quorum(joint, 2, 3, 5));
        assertFalse(quorum(joint, 1, 2, 4), "1 of the new set is no majority");
    }

    @Test
    void learnersAreNeverCounted() {
        final Membership m = Membership.of(1, 2, 3).withLearners(4, 5);
        assertFalse(quorum(m, 1, 4, 5), "two learners and one voter are no quorum");
        assertTrue(m.isLearner(4));
        assertFalse(m.isVoter(4));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, m.allNodes());
        assertEquals(5, m.size());
        final long[] scratch = new long[m.maxVoterSetSize()];
        final Map<Integer, Long> match = Map.of(1, 10L, 2, 1L, 3, 1L, 4, 100L, 5, 100L);
        assertEquals(1, m.quorumValue(match::get, scratch), "learners' high match indexes must not commit");
    }

    @Test
    void quorumValueIsTheHighestValueAMajorityReached() {
        final long[] scratch = new long[5];
        final Membership three = Membership.of(1, 2, 3);
        assertEquals(7, three.quorumValue(id -> Map.of(1, 9L, 2, 7L, 3, 2L).get(id), scratch));
        final Membership four = Membership.of(1, 2, 3, 4);
        assertEquals(5, four.quorumValue(id -> Map.of(1, 9L, 2, 7L, 3, 5L, 4, 1L).get(id), scratch),
            "3 of 4 must have reached it");
        final Membership joint = Membership.joint(new int[] {1, 2, 3}, new int[] {3, 4, 5});
        final Map<Integer, Long> match = Map.of(1, 10L, 2, 10L, 3, 6L, 4, 4L, 5, 3L);
        assertEquals(4, joint.quorumValue(match::get, scratch), "the smaller of the two sets' values");
    }

    @Test
    void rejectsInvalidConfigurations() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.of()).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.of(1, 1)).getMessage().contains("twice"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.of(0, 1)).getMessage().contains("node id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.of(1, 2).withLearners(2))
            .getMessage().contains("both a voter and a learner"));
        assertThrows(IllegalArgumentException.class, () -> Membership.of(new int[0][], new int[0]));
    }

    @Test
    void isImmutableAndEqualByValue() {
        final int[] voters = {3, 1, 2};
        final Membership m = Membership.of(voters);
        voters[0] = 99;
        assertArrayEquals(new int[] {1, 2, 3}, m.voters(0));
        m.voters(0)[0] = 42;
        assertArrayEquals(new int[] {1, 2, 3}, m.voters(0));
        assertEquals(Membership.of(1, 2, 3), m);
        assertEquals(Membership.of(1, 2, 3).hashCode(), m.hashCode());
        assertFalse(m.contains(4));
    }

    @Test
    void encodingRoundTrips() {
        final Membership joint = Membership.of(new int[][] {{1, 2, 3}, {2, 3, 4, 5}}, new int[] {9});
        assertEquals(joint, Membership.decode(joint.encode()));
        assertEquals(Membership.of(7), Membership.decode(Membership.of(7).encode()));
    }

    @Test
    void decodingRejectsMalformedBytesWithTheOffset() {
        final byte[] good = Membership.of(1, 2, 3).encode();
        final byte[] truncated = java.util.Arrays.copyOf(good, good.length - 2);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.decode(truncated))
            .getMessage().contains("Membership.decode"));
        final byte[] badVersion = good.clone();
        badVersion[0] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.decode(badVersion))
            .getMessage().contains("version 9"));
        final byte[] hugeCount = good.clone();
        hugeCount[4] = 127;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.decode(hugeCount))
            .getMessage().contains("at byte 4"));
        final byte[] trailing = java.util.Arrays.copyOf(good, good.length + 4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.decode(trailing))
            .getMessage().contains("trailing"));
    }
}
