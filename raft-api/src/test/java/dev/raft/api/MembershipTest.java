package dev.raft.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MembershipTest {
    @Test
    void learnersAreNoVoters() {
        final Membership m = Membership.of(1, 2, 3).withLearners(4, 5);
        assertTrue(m.isLearner(4));
        assertFalse(m.isVoter(4));
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, m.allNodes());
        assertEquals(5, m.size());
        assertEquals(3, m.voterSetSize(0));
        assertEquals(2, m.voterAt(0, 1));
        assertEquals(3, m.maxVoterSetSize());
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

    @Test
    void endpointsRoundTripInVersion2AndVersion1StillDecodes() {
        final Membership m = Membership.of(new int[][] {{1, 2, 3}}, new int[] {4},
            java.util.Map.of(1, "10.0.0.1:9001", 4, "host-4:9004"));
        assertEquals("10.0.0.1:9001", m.endpoint(1));
        assertEquals(null, m.endpoint(2));
        assertEquals(null, m.endpoint(99));
        final Membership decoded = Membership.decode(m.encode());
        assertEquals(m, decoded);
        assertEquals("host-4:9004", decoded.endpoint(4));
        // version 1: voter sets and learners only
        final java.nio.ByteBuffer v1 = java.nio.ByteBuffer.allocate(4 * 7).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        v1.putInt(1).putInt(1).putInt(2).putInt(1).putInt(2).putInt(1).putInt(3);
        assertEquals(Membership.of(1, 2).withLearners(3), Membership.decode(v1.array()));
    }

    @Test
    void endpointsAreKeptAcrossChangesAndValidated() {
        final Membership old = Membership.of(1, 2, 3).withEndpoint(1, "a:1").withEndpoint(3, "c:3");
        final Membership next = Membership.of(1, 2, 4).withEndpoint(4, "d:4").withEndpointsFrom(old);
        assertEquals("a:1", next.endpoint(1));
        assertEquals(null, next.endpoint(3));
        assertEquals("d:4", next.endpoint(4));
        assertEquals("a:1", old.withLearners(5).endpoint(1));
        assertFalse(old.equals(Membership.of(1, 2, 3)));
        assertTrue(old.sameMembers(Membership.of(1, 2, 3)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.of(1).withEndpoint(2, "x:1"))
            .getMessage().contains("not a member"));
        for (String bad : new String[] {"nohost", ":80", "h:0", "h:65536", "h:x", "h :1", ""}) {
            assertThrows(IllegalArgumentException.class, () -> Membership.of(1).withEndpoint(1, bad), bad);
        }
        final byte[] bytes = Membership.of(1).withEndpoint(1, "h:1").encode();
        bytes[bytes.length - 3 - 4] = 100; // the endpoint's length, now past the end
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Membership.decode(bytes))
            .getMessage().contains("endpoint length"));
    }
}
