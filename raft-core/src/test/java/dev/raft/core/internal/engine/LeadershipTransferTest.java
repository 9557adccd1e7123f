package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.error.LeadershipTransferException;
import dev.raft.api.error.LeadershipTransferInProgressException;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Leadership transfer: the leader refuses proposals, catches the target up, then sends one TimeoutNow; the
 * target campaigns at once; the transfer ends with the target leading, or fails after an election timeout and
 * the old leader resumes. The voter side honours a transfer's vote request against its lease only when it is
 * credible.
 */
class LeadershipTransferTest {
    private static final UnsafeBuffer CMD = new UnsafeBuffer(new byte[8]);

    private static int other(TestNet net, int... not) {
        for (int id : net.nodes.keySet()) {
            if (java.util.Arrays.stream(not).noneMatch(n -> n == id)) {
                return id;
            }
        }
        throw new AssertionError();
    }

    private static long timeoutNowsSent(TestNode n) {
        return n.commands("send").stream().filter(c -> c.message().type() == MessageType.TIMEOUT_NOW_REQUEST).count();
    }

    @Test
    void aLaggingTargetIsCaughtUpBeforeTimeoutNowAndThenWins() {
        final TestNet net = new TestNet(3, b -> b);
        final int old = net.electLeader();
        final TestNode leader = net.node(old);
        final int target = other(net, old);
        net.isolated.add(target);
        for (int i = 0; i < 5; i++) {
            assertTrue(leader.engine.propose(CMD, 0, 8) > 0);
        }
        leader.engine.flushPending();
        net.settle();
        assertTrue(net.node(target).engine.lastLogIndex() < leader.engine.lastLogIndex(), "the target lags");
        leader.commands.clear();
        assertTrue(leader.engine.transferLeadership(target));
        assertEquals(0, timeoutNowsSent(leader), "no TimeoutNow to a lagging target");
        assertEquals(-1, leader.engine.propose(CMD, 0, 8), "no proposal during a transfer");
        assertThrows(LeadershipTransferInProgressException.class, () -> leader.engine.transferLeadership(target));
        assertThrows(LeadershipTransferInProgressException.class,
            () -> leader.engine.changeMembership(-1, new int[] {1, 2, 3}, new int[0]));
        net.isolated.clear();
        leader.advanceMillis(60); // the heartbeat probes the target, which is caught up, then told to campaign
        net.settle();
        assertEquals(1, timeoutNowsSent(leader));
        assertTrue(net.node(target).engine.lastLogIndex() > 6, "caught up (6 entries), then its own blank entry");
        assertEquals(target, net.leader());
        assertEquals(Role.FOLLOWER, leader.engine.role());
        assertEquals(List.of("ok " + target), leader.transfers);
        assertEquals(0, net.node(target).engine.raw.counters().get(EngineCounter.PRE_VOTES_STARTED),
            "the target campaigned at once, without a pre-vote");
    }

    @Test
    void aTargetThatDoesNotWinWithinAnElectionTimeoutFailsTheTransferAndTheLeaderResumes() {
        final TestNet net = new TestNet(3, b -> b);
        final int old = net.electLeader();
        final TestNode leader = net.node(old);
        final int target = other(net, old);
        net.isolated.add(target);
        assertTrue(leader.engine.transferLeadership(target));
        net.run(310);
        assertEquals(1, leader.transfers.size());
        assertTrue(leader.transfers.get(0).contains("did not win within an election timeout"), leader.transfers::toString);
        assertTrue(leader.transfers.get(0).contains("resumes as leader"), leader.transfers::toString);
        assertEquals(Role.LEADER, leader.engine.role());
        assertTrue(leader.engine.propose(CMD, 0, 8) > 0, "proposals are accepted again");
    }

    @Test
    void refusedTransfers() {
        final TestNet net = new TestNet(3, b -> b.initialMembership(Membership.of(1, 2, 3).withLearners(4)));
        final int id = net.electLeader();
        final TestNode leader = net.node(id);
        assertFalse(leader.engine.transferLeadership(id), "to itself: nothing to do");
        final LeadershipTransferException e = assertThrows(LeadershipTransferException.class,
            () -> leader.engine.transferLeadership(4));
        assertFalse(e.isRetriable());
        assertTrue(e.getMessage().contains("not a voter"), e.getMessage());
        leader.engine.addLearner(5, "h5:5");
        assertThrows(MembershipChangeInProgressException.class, () -> leader.engine.transferLeadership(other(net, id)));
    }

    @Test
    void timeoutNowFromANodeThatIsNotTheLeaderIsRefused() {
        final TestNet net = new TestNet(3, b -> b);
        final int id = net.electLeader();
        final int a = other(net, id);
        final int b = other(net, id, a);
        final TestNode follower = net.node(a);
        final long term = follower.engine.term();
        follower.receive(new TimeoutNowRequest().set(b, a, term)); // b is a follower, not the leader
        assertEquals(term, follower.engine.term(), "no campaign");
        final List<RaftMessage> resp = follower.takeSent(MessageType.TIMEOUT_NOW_RESPONSE);
        assertFalse(((dev.raft.api.message.TimeoutNowResponse) resp.get(0)).isAccepted());
    }

    /**
     * The voter side. Before: the transfer flag set aside the lease for any member. Now a follower in its lease
     * honours it only for a candidate of term T + 1 whose log ends with an entry of T and is up to date; the
     * leader only for the target it sent TimeoutNow to.
     */
    @Test
    void aFlaggedVoteRequestSetsTheLeaseAsideOnlyWhenItIsCredible() {
        final TestNet net = new TestNet(3, b -> b);
        final int id = net.electLeader();
        final int a = other(net, id);
        final int b = other(net, id, a);
        final TestNode leader = net.node(id);
        final TestNode follower = net.node(a);
        net.settle();
        final long term = follower.engine.term();
        final long last = follower.engine.lastLogIndex();
        // a stale candidate (its log ends in an older term) sets the flag: refused, no term change
        follower.receive(new VoteRequest().set(b, a, term + 1, last, term - 1, false, true));
        assertFalse(follower.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        assertEquals(term, follower.engine.term(), "the lease holds");
        // a candidate two terms ahead: refused
        follower.receive(new VoteRequest().set(b, a, term + 2, last, term, false, true));
        assertFalse(follower.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        // the leader never sent TimeoutNow to b: it refuses b's flagged request and keeps leading
        leader.receive(new VoteRequest().set(b, id, term + 1, last, term, false, true));
        assertFalse(leader.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        assertEquals(Role.LEADER, leader.engine.role());
        assertEquals(term, leader.engine.term());
        // a credible one (term T + 1, log caught up by the leader of T): granted despite the lease
        follower.receive(new VoteRequest().set(b, a, term + 1, last, term, false, true));
        assertTrue(follower.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        assertEquals(term + 1, follower.engine.term());
    }
}
