package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.message.InstallSnapshotRequest;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * A snapshot carries the membership in force as of its last entry: a node reloads it when it installs a
 * snapshot and when it starts from one (regression: the membership was carried but never reloaded).
 */
class SnapshotMembershipTest {
    private static final Membership GROWN = Membership.of(1, 2, 3, 4).withLearners(5).withEndpoint(5, "h5:5005");

    @Test
    void anInstalledSnapshotsMembershipIsTheMembershipInForce() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 7).start(Vote.INITIAL, 1, 1);
        final byte[] data = {1, 2, 3};
        final SnapshotMeta meta = new SnapshotMeta("s1", LogId.of(2, 9), GROWN);
        n.receive(new InstallSnapshotRequest().set(2, 1, 2, meta, 0, new UnsafeBuffer(data), 0, data.length, true));
        assertEquals(9, n.engine.raw.state().commitIndex());
        assertEquals(GROWN, n.engine.raw.state().membership());
        assertEquals(9, n.engine.raw.state().membershipIndex());
    }

    @Test
    void aNodeStartingFromASnapshotTakesItsMembership() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 7);
        n.engine.raw.loadSnapshot(new SnapshotMeta("s1", LogId.of(2, 9), GROWN), 3);
        n.engine.log().reset(9, 2);
        n.flushed = 9;
        n.engine.start(n.nowNanos, Vote.INITIAL, 9);
        assertEquals(GROWN, n.engine.raw.state().membership());
        assertEquals(9, n.engine.raw.state().membershipIndex());
    }
}
