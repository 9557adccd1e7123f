package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Entry;
import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.error.ConfigIndexMismatchException;
import dev.raft.api.error.LearnerLagException;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.MessageType;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Membership change by joint consensus in the engine: configurations in force when appended and reverted when
 * truncated, the joint quorum, learners never counted, one change in flight, compare-and-set, the promotion
 * lag, a removed leader stepping down, and a node joining before it knows the configuration that adds it.
 */
class MembershipEngineTest {
    private static void propose(TestNode n, int count) {
        final UnsafeBuffer buf = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < count; i++) {
            assertTrue(n.engine.propose(buf, 0, 8) > 0);
        }
        n.engine.flushPending();
    }

    /** A 3-node net with a leader and node 4 joining (not in its own initial membership). */
    private static TestNet netWithJoiner() {
        final TestNet net = new TestNet(3, b -> b);
        net.electLeader();
        net.add(new TestNode(TestNode.config(4, 1, 2, 3).build(), 1004).start(Vote.INITIAL));
        return net;
    }

    @Test
    void aLearnerJoinsReceivesTheLogAndNeverCounts() {
        final TestNet net = netWithJoiner();
        final TestNode leader = net.node(net.leader());
        propose(leader, 3);
        net.settle();
        assertTrue(leader.engine.addLearner(4, "h4:4004"));
        assertTrue(leader.engine.membership().isLearner(4), "in force on the leader when appended");
        assertEquals("h4:4004", leader.engine.membership().endpoint(4));
        net.settle();
        final TestNode joiner = net.node(4);
        assertEquals(leader.engine.lastLogIndex(), joiner.engine.lastLogIndex(), "the learner has the log");
        assertEquals(Role.LEARNER, joiner.engine.role(), "it learned from the log that it is a learner");
        assertEquals(leader.engine.membership(), joiner.engine.membership());
        assertEquals(leader.engine.membershipIndex(), joiner.engine.membershipIndex());
        assertEquals(List.of("changeDone"), leader.commands("changeDone").stream().map(c -> c.kind()).toList());

        // isolate both followers: the learner's acknowledgement alone never commits
        final long commitBefore = leader.engine.commitIndex();
        for (int id = 1; id <= 3; id++) {
            if (id != leader.config.nodeId()) {
                net.isolated.add(id);
            }
        }
        propose(leader, 1);
        net.settle();
        assertEquals(leader.engine.lastLogIndex(), joiner.engine.lastLogIndex());
        assertEquals(commitBefore, leader.engine.commitIndex(), "a learner never counts");
    }

    @Test
    void promotionGoesThroughTheJointConfigurationAndARemovedLeaderStepsDownOnceTheFinalOneCommits() {
        final TestNet net = netWithJoiner();
        final int old = net.leader();
        final TestNode leader = net.node(old);
        leader.engine.addLearner(4, "h4:4004");
        net.settle();
        final int[] newVoters = java.util.stream.IntStream.of(1, 2, 3, 4).filter(id -> id != old).toArray();
        leader.memberships.clear();
        assertTrue(leader.engine.changeMembership(-1, newVoters, new int[0]));
        assertTrue(leader.engine.membership().isJoint(), "the joint configuration is in force when appended");
        net.settle();
        // joint committed, then the final one appended and committed: the old leader is out and steps down
        // the routes (MEMBERSHIP_CHANGED): the joint configuration, every node while C(new) is not committed
        // (the removed leader must still reach the others), then C(new) once committed
        assertEquals(3, leader.memberships.size(), leader.memberships::toString);
        assertTrue(leader.memberships.get(0).isJoint());
        assertEquals(Membership.of(1, 2, 3, 4), leader.memberships.get(1).withEndpoint(4, null));
        assertEquals(Membership.of(newVoters), leader.memberships.get(2).withEndpoint(4, null));
        assertEquals(2, leader.commands("changeDone").size(), "the learner's addition, then the promotion");
        assertNotEquals(Role.LEADER, leader.engine.role(), "removed: it stepped down once C(new) committed");
        final int lastDone = leader.commands.lastIndexOf(leader.commands("changeDone").get(1));
        assertTrue(lastDone < leader.indexOfCommand(c -> c.kind().equals("leadershipLost")),
            "the change completes before the step-down");
        for (int id : newVoters) {
            assertEquals(leader.engine.membership(), net.node(id).engine.membership(), "node " + id);
        }
        // the remaining voters elect a leader among themselves; the removed node never campaigns
        net.isolated.add(old);
        final int next = net.electLeader();
        assertTrue(next != old && next != 0);
        net.isolated.remove(old);
        final long campaigns = leader.engine.raw.counters().get(EngineCounter.ELECTIONS_STARTED);
        net.run(2000);
        assertNotEquals(Role.LEADER, leader.engine.role());
        assertEquals(campaigns, leader.engine.raw.counters().get(EngineCounter.ELECTIONS_STARTED),
            "a node that is no voter never campaigns");
        assertEquals(next, net.leader(), "the removed node did not disrupt the new configuration");
    }

    @Test
    void jointConfigurationCommitsOnlyWithAMajorityOfEachVoterSet() {
        for (boolean cutOldSet : new boolean[] {true, false}) {
            // leader L of {1,2,3}; learners 4 and 5; change to {L,4,5}: joint C({1,2,3},{L,4,5})
            final TestNet net = new TestNet(5, b -> b.initialMembership(Membership.of(1, 2, 3).withLearners(4, 5)));
            final TestNode leader = net.node(net.electLeader());
            net.run(100);
            final int id = leader.config.nodeId();
            final int[] oldOthers = java.util.stream.IntStream.of(1, 2, 3).filter(n -> n != id).toArray();
            // cut the old set's other voters (the new set alone acknowledges), or the new set's learners
            final int[] cut = cutOldSet ? oldOthers : new int[] {4, 5};
            for (int n : cut) {
                net.isolated.add(n);
            }
            assertTrue(leader.engine.changeMembership(-1, new int[] {id, 4, 5}, new int[0]));
            final long jointIndex = leader.engine.membershipIndex();
            net.settle();
            leader.advanceMillis(60);
            net.settle();
            assertTrue(leader.engine.commitIndex() < jointIndex, (cutOldSet ? "the new" : "the old")
                + " majority alone does not commit the joint configuration");
            net.isolated.clear();
            net.run(100);
            assertTrue(leader.engine.commitIndex() > jointIndex);
            assertEquals(Membership.of(id, 4, 5), leader.engine.membership(), "C(new) followed the joint one");
        }
    }

    @Test
    void aConfigurationTakesEffectWhenAppendedAndRevertsWhenTruncated() {
        final TestNode f = new TestNode(TestNode.config(1, 1, 2, 3).build(), 7).start(Vote.INITIAL, 1);
        final Membership grown = Membership.of(1, 2, 3).withLearners(4);
        final AppendEntriesRequest req = new AppendEntriesRequest().set(2, 1, 2, 1, 1, 1);
        req.entries().add(Entry.membership(2, 2, grown));
        f.receive(req);
        assertEquals(grown, f.engine.membership(), "in force when appended, before it is committed");
        assertEquals(2, f.engine.membershipIndex());
        assertEquals(1, f.engine.commitIndex());
        // the leader of term 3 has another entry at index 2: the configuration is truncated and reverts
        final AppendEntriesRequest conflict = new AppendEntriesRequest().set(3, 1, 3, 1, 1, 1);
        conflict.entries().add(Entry.normal(3, 2, new byte[] {1}));
        f.receive(conflict);
        assertEquals(Membership.of(1, 2, 3), f.engine.membership());
        assertEquals(0, f.engine.membershipIndex());
        assertEquals(List.of(grown, Membership.of(1, 2, 3)), f.memberships);
    }

    @Test
    void aConfigurationEntryThatDoesNotDecodeIsDroppedBeforeTheLogChanges() {
        final TestNode f = new TestNode(TestNode.config(1, 1, 2, 3).build(), 7).start(Vote.INITIAL, 1);
        final AppendEntriesRequest req = new AppendEntriesRequest().set(2, 1, 2, 1, 1, 1);
        req.entries().add(2, 2, dev.raft.api.EntryType.MEMBERSHIP, new byte[] {9, 9, 9});
        f.receive(req);
        assertEquals(1, f.engine.raw.counters().get(EngineCounter.MALFORMED_DROPPED));
        assertEquals(1, f.engine.lastLogIndex());
    }

    @Test
    void aSecondChangeIsRefusedNamingTheChangeInProgress() {
        final TestNet net = netWithJoiner();
        final TestNode leader = net.node(net.leader());
        assertTrue(leader.engine.addLearner(4, "h4:4004"));
        final MembershipChangeInProgressException e = assertThrows(MembershipChangeInProgressException.class,
            () -> leader.engine.addLearner(5, "h5:4005"));
        assertTrue(e.getMessage().contains("index " + leader.engine.membershipIndex()), e.getMessage());
        assertTrue(e.getMessage().contains("learners=[4]"), e.getMessage());
        net.settle();
        assertTrue(leader.engine.addLearner(5, "h5:4005"), "once committed, the next change is accepted");
    }

    @Test
    void compareAndSetNamesExpectedAndActualIndexes() {
        final TestNet net = netWithJoiner();
        final TestNode leader = net.node(net.leader());
        leader.engine.addLearner(4, "h4:4004");
        net.settle();
        final long actual = leader.engine.membershipIndex();
        final ConfigIndexMismatchException e = assertThrows(ConfigIndexMismatchException.class,
            () -> leader.engine.changeMembership(0, new int[] {1, 2, 3}, new int[0]));
        assertEquals(0, e.expected());
        assertEquals(actual, e.actual());
        assertTrue(e.getMessage().contains("expected the configuration at index 0"), e.getMessage());
        assertTrue(leader.engine.changeMembership(actual, new int[] {1, 2, 3}, new int[0]), "the right index passes");
    }

    @Test
    void promotingALaggingLearnerIsRefusedWithTheLagAndBadRequestsNameTheRule() {
        final TestNet net = new TestNet(3, b -> b.maxPromotionLag(5));
        net.electLeader();
        final TestNode joiner = net.add(new TestNode(TestNode.config(4, 1, 2, 3).build(), 1004).start(Vote.INITIAL));
        final TestNode leader = net.node(net.leader());
        leader.engine.addLearner(4, "h4:4004");
        net.settle();
        net.isolated.add(4);
        propose(leader, 10);
        net.settle();
        final LearnerLagException e = assertThrows(LearnerLagException.class,
            () -> leader.engine.changeMembership(-1, new int[] {1, 2, 3, 4}, new int[0]));
        assertEquals(4, e.learnerId());
        assertEquals(10, e.lag());
        assertTrue(e.getMessage().contains("lags by 10 entries"), e.getMessage());
        net.isolated.remove(4);
        net.run(100);
        assertEquals(leader.engine.lastLogIndex(), joiner.engine.lastLogIndex());
        assertTrue(leader.engine.changeMembership(-1, new int[] {1, 2, 3, 4}, new int[0]), "caught up: promoted");

        final TestNode follower = net.node(leader.config.nodeId() == 1 ? 2 : 1);
        assertThrows(NotLeaderException.class, () -> follower.engine.changeMembership(-1, new int[] {1}, new int[0]));
        net.settle();
        final IllegalArgumentException notLearner = assertThrows(IllegalArgumentException.class,
            () -> leader.engine.changeMembership(-1, new int[] {1, 2, 3, 4, 9}, new int[0]));
        assertTrue(notLearner.getMessage().contains("add it as a learner first"), notLearner.getMessage());
        final IllegalArgumentException demotion = assertThrows(IllegalArgumentException.class,
            () -> leader.engine.changeMembership(-1, new int[] {1, 2, 3}, new int[] {4}));
        assertTrue(demotion.getMessage().contains("cannot become a learner in one change"), demotion.getMessage());
        assertThrows(IllegalArgumentException.class, () -> leader.engine.addLearner(5, "no-port"));
        assertFalse(leader.engine.changeMembership(-1, new int[] {1, 2, 3, 4}, new int[0]), "no change: nothing appended");
    }

    @Test
    void aNodeThatIsNotAMemberNeverCampaignsAndVotesFromNonMembersAreDropped() {
        final TestNet net = netWithJoiner();
        final TestNode joiner = net.node(4);
        final long dropped = net.node(1).engine.unknownSenderDropped();
        net.isolated.clear();
        joiner.runMillis(3000);
        assertEquals(0, joiner.engine.raw.counters().get(EngineCounter.ELECTIONS_STARTED), "no member: no campaign");
        joiner.receive(new dev.raft.api.message.VoteRequest().set(1, 4, 99, 0, 0, false, false));
        assertEquals(1, joiner.takeSent(MessageType.VOTE_RESPONSE).stream()
            .filter(m -> ((dev.raft.api.message.VoteResponse) m).isGranted()).count(),
            "asked, it votes (it may be a voter of a configuration it has not received); the candidate decides if it counts");
        net.node(1).receive(new dev.raft.api.message.VoteRequest().set(4, 1, 99, 0, 0, true, false));
        assertEquals(dropped + 1, net.node(1).engine.unknownSenderDropped());
    }
}
