package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Entry;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** One test per Raft rule: events in, commands and state asserted. Fully deterministic (manual time, seeded jitter). */
class RaftEngineTest {

    // ------------------------------------------------------------------ helpers

    /** Makes {@code n} the leader by timing out and answering its (pre-)vote requests with grants from {@code voters}. */
    static void elect(TestNode n, int... voters) {
        n.runMillis(310);
        for (int round = 0; round < 2 && n.engine.role() != Role.LEADER; round++) {
            final List<VoteRequest> reqs = n.takeSent(MessageType.VOTE_REQUEST);
            for (VoteRequest r : reqs) {
                for (int v : voters) {
                    if (r.to() == v) {
                        n.receive(new VoteResponse().set(v, n.config.nodeId(), r.term(), true, r.isPreVote()));
                    }
                }
            }
        }
        assertEquals(Role.LEADER, n.engine.role(), n.engine.toString());
        n.outbox.clear();
        n.commands.clear();
    }

    static AppendEntriesResponse ok(int from, int to, long term, long match) {
        return new AppendEntriesResponse().success(from, to, term, match, match);
    }

    private static AppendEntriesRequest append(int from, int to, long term, long prevIndex, long prevTerm, long commit,
                                               long... entryTerms) {
        final AppendEntriesRequest req = new AppendEntriesRequest().set(from, to, term, prevIndex, prevTerm, commit);
        for (int i = 0; i < entryTerms.length; i++) {
            req.entries().add(entryTerms[i], prevIndex + 1 + i, dev.raft.api.EntryType.NORMAL, new byte[] {7});
        }
        return req;
    }

    private static void propose(TestNode n, int count, int size) {
        final UnsafeBuffer buf = new UnsafeBuffer(new byte[size]);
        for (int i = 0; i < count; i++) {
            assertTrue(n.engine.propose(buf, 0, size) > 0);
        }
        n.engine.flushPending();
    }

    // ------------------------------------------------------------------ election

    @Test
    void threeNodesElectExactlyOneLeaderWhichCommitsItsBlankEntry() {
        final TestNet net = new TestNet(3, b -> b);
        final int leader = net.electLeader();
        net.run(100);
        long leaders = net.nodes.values().stream().filter(n -> n.engine.role() == Role.LEADER).count();
        assertEquals(1, leaders);
        final long term = net.node(leader).engine.term();
        for (TestNode n : net.nodes.values()) {
            assertEquals(term, n.engine.term());
            assertEquals(leader, n.engine.leaderId());
            assertEquals(1, n.engine.commitIndex(), "blank entry committed on " + n.engine);
            assertEquals(Entry.blank(term, 1), n.log.get(0));
        }
    }

    @Test
    void voteGrantedAtMostOncePerTermAndPersistedBeforeTheResponse() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        n.receive(new VoteRequest().set(2, 1, 2, 0, 0, false, false));
        final List<VoteResponse> first = n.takeSent(MessageType.VOTE_RESPONSE);
        assertTrue(first.get(0).isGranted());
        final int persisted = n.indexOfCommand(c -> c.kind().equals("persistVote") && c.a() == 2 && c.b() == 2);
        final int sent = n.indexOfCommand(c -> c.message() instanceof VoteResponse);
        assertTrue(persisted >= 0 && persisted < sent, "vote persisted before the response: " + n.commands);

        n.receive(new VoteRequest().set(3, 1, 2, 5, 1, false, false));
        assertFalse(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted(), "second candidate, same term");
        n.receive(new VoteRequest().set(2, 1, 2, 0, 0, false, false));
        assertTrue(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted(), "retransmitted request");
        assertEquals(new Vote(2, 2), n.savedVote);
    }

    @Test
    void voteRefusedToACandidateWhoseLogIsLessUpToDate() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(new Vote(3, 0), 1, 1, 3);
        n.receive(new VoteRequest().set(2, 1, 5, 10, 2, false, false)); // longer log, older last term
        assertFalse(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        n.receive(new VoteRequest().set(2, 1, 6, 2, 3, false, false)); // same last term, shorter
        assertFalse(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        assertEquals(6, n.engine.term(), "a refused vote still adopts the higher term");
        n.receive(new VoteRequest().set(2, 1, 7, 3, 3, false, false)); // equal
        assertTrue(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        n.receive(new VoteRequest().set(3, 1, 8, 1, 4, false, false)); // newer last term, shorter
        assertTrue(n.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted());
        assertEquals(new Vote(8, 3), n.savedVote);
    }

    @Test
    void preVoteDoesNotBumpTermsAndAPartitionedNodeRejoiningDoesNotDisruptTheLeader() {
        final TestNet net = new TestNet(3, b -> b);
        final int leader = net.electLeader();
        final long term = net.node(leader).engine.term();
        final int partitioned = leader == 3 ? 2 : 3;
        net.isolated.add(partitioned);
        net.run(2000);
        final TestNode p = net.node(partitioned);
        assertEquals(term, p.engine.term(), "pre-votes never bump the term");
        assertTrue(p.engine.electionsStarted() > 3, "it kept trying: " + p.engine.electionsStarted());
        assertEquals(Role.PRE_CANDIDATE, p.engine.role());

        net.isolated.clear();
        net.run(1000);
        assertEquals(leader, net.leader(), "the leader keeps its role");
        for (TestNode n : net.nodes.values()) {
            assertEquals(term, n.engine.term(), "no term changed on " + n.engine);
            assertEquals(leader, n.engine.leaderId());
        }
    }

    @Test
    void withoutPreVoteAPartitionedNodeBumpsItsTermAndDisruptsTheLeader() {
        // the control experiment for the test above: it shows what PreVote prevents
        final TestNet net = new TestNet(3, b -> b.preVote(false).checkQuorum(false));
        final int leader = net.electLeader();
        final long term = net.node(leader).engine.term();
        final int partitioned = leader == 3 ? 2 : 3;
        net.isolated.add(partitioned);
        net.run(2000);
        assertTrue(net.node(partitioned).engine.term() > term + 3);
        net.isolated.clear();
        net.run(1000);
        assertTrue(net.node(leader).engine.term() > term, "the old leader was deposed by the higher term");
    }

    // ------------------------------------------------------------------ terms and stale leaders

    @Test
    void staleLeadersAppendEntriesIsRejectedWithTheCurrentTermAndTheStaleLeaderStepsDown() {
        final TestNode follower = new TestNode(TestNode.config(2, 1, 2, 3).build(), 2).start(new Vote(5, 3), 1, 1);
        follower.receive(append(1, 2, 3, 2, 1, 2, 3));
        final List<AppendEntriesResponse> resp = follower.takeSent(MessageType.APPEND_ENTRIES_RESPONSE);
        assertEquals(1, resp.size());
        assertFalse(resp.get(0).isSuccess());
        assertEquals(5, resp.get(0).term());
        assertTrue(follower.commands("append").isEmpty());
        assertEquals(2, follower.log.size());
        assertEquals(0, follower.engine.commitIndex(), "a stale leader's commit index is not trusted");

        final TestNode stale = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        elect(stale, 2, 3);
        stale.receive(resp.get(0).copy().to(1).from(2));
        assertEquals(Role.FOLLOWER, stale.engine.role());
        assertEquals(5, stale.engine.term());
        assertEquals(new Vote(5, 0), stale.savedVote);
        assertEquals(1, stale.commands("leadershipLost").size());
        assertEquals(-1, stale.engine.propose(new UnsafeBuffer(new byte[1]), 0, 1), "no proposals once deposed");
    }

    // ------------------------------------------------------------------ log replication: follower

    @Test
    void conflictingSuffixIsTruncatedOnAFollowerAndAStaleRepeatTruncatesNothing() {
        final TestNode f = new TestNode(TestNode.config(2, 1, 2, 3).build(), 2).start(new Vote(2, 0), 1, 1, 2, 2);
        f.receive(append(1, 2, 3, 2, 1, 0, 3, 3, 3));
        assertEquals(List.of("persistVote(3,0)", "truncate(3,0)", "append(3,5)"),
            f.commands.stream().filter(c -> !c.kind().equals("send")).map(Object::toString).toList());
        assertArrayEquals(new long[] {1, 1, 3, 3, 3}, f.logTerms());

        f.flushAll();
        f.outbox.clear();
        f.commands.clear();
        f.receive(append(1, 2, 3, 2, 1, 0, 3)); // an old, reordered copy: must not cut entries 4..5
        assertTrue(f.commands("truncate").isEmpty());
        assertEquals(5, f.log.size());
        final AppendEntriesResponse r = f.<AppendEntriesResponse>takeSent(MessageType.APPEND_ENTRIES_RESPONSE).get(0);
        assertTrue(r.isSuccess());
        assertEquals(5, r.matchIndex());
    }

    @Test
    void followerAnswersAppendEntriesOnlyOnceTheEntriesAreDurable() {
        final TestNode f = new TestNode(TestNode.config(2, 1, 2, 3).build(), 2).start(new Vote(1, 1));
        f.receive(append(1, 2, 1, 0, 0, 0, 1, 1, 1, 1, 1));
        assertEquals(1, f.commands("append").size());
        assertTrue(f.takeSent(MessageType.APPEND_ENTRIES_RESPONSE).isEmpty(), "no answer before the flush");
        f.engine.onLogFlushed(3);
        AppendEntriesResponse r = f.<AppendEntriesResponse>takeSent(MessageType.APPEND_ENTRIES_RESPONSE).get(0);
        assertEquals(3, r.matchIndex(), "acknowledges only what is durable");
        f.engine.onLogFlushed(5);
        r = f.<AppendEntriesResponse>takeSent(MessageType.APPEND_ENTRIES_RESPONSE).get(0);
        assertTrue(r.isSuccess());
        assertEquals(5, r.matchIndex());
    }

    @Test
    void followerCommitsOnlyWhatItHasVerifiedToMatchTheLeader() {
        final TestNode f = new TestNode(TestNode.config(2, 1, 2, 3).build(), 2).start(new Vote(2, 0), 1, 1, 2, 2);
        // heartbeat with a large leader commit, verified prefix only up to 2
        f.receive(append(1, 2, 3, 2, 1, 10));
        assertEquals(2, f.engine.commitIndex());
    }

    // ------------------------------------------------------------------ log replication: leader

    @Test
    void figure8LeaderDoesNotCommitAnOldTermEntryByCountingReplicas() {
        // five nodes; node 1 holds [t1, t2] (index 2 from term 2), wins term 4 and appends its blank at index 3
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3, 4, 5).build(), 1).start(new Vote(3, 0), 1, 2);
        elect(n, 2, 3);
        assertEquals(4, n.engine.term());
        n.flushAll();
        // index 2 (term 2) now lies on a majority: 1, 2, 3
        n.receive(ok(2, 1, 4, 2));
        n.receive(ok(3, 1, 4, 2));
        assertEquals(0, n.engine.commitIndex(), "index 2 is of an older term: replica counting must not commit it");
        n.receive(ok(2, 1, 4, 3));
        assertEquals(0, n.engine.commitIndex(), "index 3 on 2 of 5 nodes");
        n.receive(ok(3, 1, 4, 3));
        assertEquals(3, n.engine.commitIndex(), "the current-term entry commits, and everything before it");
    }

    @Test
    void leaderCountsItsOwnLogOnlyAfterItsOwnFlush() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        elect(n, 2, 3);
        propose(n, 3, 8);
        n.receive(ok(2, 1, n.engine.term(), 4));
        assertEquals(0, n.engine.commitIndex(), "leader's own entries are not durable yet");
        n.engine.onLogFlushed(2);
        assertEquals(2, n.engine.commitIndex());
        n.engine.onLogFlushed(4);
        assertEquals(4, n.engine.commitIndex());
        assertEquals(List.of("committed(2,0)", "committed(4,0)"),
            n.commands("committed").stream().map(Object::toString).toList());
    }

    @Test
    void fastBacktrackingSkipsWholeConflictingTerms() {
        // Raft paper figure 7: leader [1,1,1,4,4,5,5,6,6,6], follower (f) [1,1,1,2,2,2,3,3,3,3,3]
        final TestNode leader = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(new Vote(7, 0),
            1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
        final TestNode follower = new TestNode(TestNode.config(2, 1, 2, 3).build(), 2).start(new Vote(7, 0),
            1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3);
        elect(leader, 2, 3);
        leader.flushAll();
        leader.advanceMillis(60); // heartbeat tick: probes
        int rejections = 0;
        for (int round = 0; round < 20 && leader.engine.matchIndex(2) < 11; round++) {
            for (AppendEntriesRequest req : leader.<AppendEntriesRequest>takeSent(MessageType.APPEND_ENTRIES_REQUEST)) {
                if (req.to() == 2) {
                    follower.receive(req);
                }
            }
            follower.flushAll();
            for (AppendEntriesResponse resp : follower.<AppendEntriesResponse>takeSent(MessageType.APPEND_ENTRIES_RESPONSE)) {
                rejections += resp.isSuccess() ? 0 : 1;
                leader.receive(resp);
            }
        }
        assertEquals(11, leader.engine.matchIndex(2));
        assertEquals(2, rejections, "one rejection per conflicting term (3, then 2), not one per entry");
        assertArrayEquals(leader.logTerms(), follower.logTerms());
    }

    @Test
    void pipeliningIsBoundedByTheInflightWindowAndBatchesByMaxEntries() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).maxInflightAppends(4).maxEntriesPerAppend(2).build(), 1)
            .start(Vote.INITIAL);
        elect(n, 2, 3);
        final long term = n.engine.term();
        n.receive(ok(2, 1, term, 1)); // node 2 acknowledges the blank: replicate; node 3 stays probing
        assertTrue(n.engine.isReplicating(2));
        assertFalse(n.engine.isReplicating(3));
        n.outbox.clear();
        propose(n, 20, 4);
        final List<AppendEntriesRequest> to2 = n.<AppendEntriesRequest>takeSent(MessageType.APPEND_ENTRIES_REQUEST)
            .stream().filter(r -> r.to() == 2).toList();
        assertEquals(4, to2.size(), "window of 4");
        long expectedPrev = 1;
        for (AppendEntriesRequest r : to2) {
            assertEquals(expectedPrev, r.prevLogIndex());
            assertEquals(2, r.entries().size(), "at most maxEntriesPerAppend");
            expectedPrev = r.entries().lastIndex();
        }
        assertEquals(4, n.engine.inflightCount(2));
        n.receive(ok(2, 1, term, 3)); // frees the first message
        final List<AppendEntriesRequest> more = n.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(1, more.size());
        assertEquals(9, more.get(0).prevLogIndex());
        n.receive(ok(2, 1, term, 11)); // a coalesced acknowledgement frees several
        assertEquals(4, n.engine.inflightCount(2));
        assertEquals(4, n.<AppendEntriesRequest>takeSent(MessageType.APPEND_ENTRIES_REQUEST).size());
    }

    @Test
    void aProbingFollowerGetsOneMessageAtATime() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        elect(n, 2, 3);
        propose(n, 10, 4);
        propose(n, 10, 4);
        assertEquals(0, n.takeSent(MessageType.APPEND_ENTRIES_REQUEST).size(), "probe already in flight since election");
        n.advanceMillis(60); // heartbeat: the probe is retried
        final List<AppendEntriesRequest> probes = n.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(2, probes.size());
        assertEquals(21, probes.get(0).entries().size(), "the probe carries the entries after nextIndex-1");
    }

    @Test
    void lostAppendEntriesAreDetectedByTheNextHeartbeatAndResent() {
        final TestNet net = new TestNet(3, b -> b);
        final int leader = net.electLeader();
        final TestNode l = net.node(leader);
        final int follower = leader == 1 ? 2 : 1;
        propose(l, 5, 4);
        l.outbox.removeIf(m -> m.to() == follower); // lost
        net.settle();
        assertEquals(1, net.node(follower).log.size());
        net.run(200);
        assertEquals(6, net.node(follower).log.size());
        assertEquals(6, net.node(follower).engine.commitIndex());
    }

    @Test
    void proposalsAreRefusedOnANonLeader() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        assertEquals(-1, n.engine.propose(new UnsafeBuffer(new byte[3]), 0, 3));
        assertTrue(n.commands.isEmpty());
    }

    @Test
    void singleNodeClusterElectsItselfAndCommitsOnItsOwnFlush() {
        final TestNode n = new TestNode(TestNode.config(1, 1).build(), 1).start(Vote.INITIAL);
        n.runMillis(310);
        assertEquals(Role.LEADER, n.engine.role());
        propose(n, 2, 1);
        assertEquals(0, n.engine.commitIndex());
        n.flushAll();
        assertEquals(3, n.engine.commitIndex());
    }

    @Test
    void aLearnerReceivesTheLogButNeverCampaignsNorCountsForCommit() {
        final Membership withLearner = Membership.of(new int[][] {{1, 2, 3}}, new int[] {4});
        final TestNode learner = new TestNode(dev.raft.api.config.RaftConfig.builder().nodeId(4)
            .initialMembership(withLearner).build(), 4).start(Vote.INITIAL);
        assertEquals(Role.LEARNER, learner.engine.role());
        learner.runMillis(2000);
        assertEquals(Role.LEARNER, learner.engine.role());
        assertTrue(learner.takeSent(MessageType.VOTE_REQUEST).isEmpty());
        learner.receive(new VoteRequest().set(1, 4, 1, 0, 0, false, false));
        // a learner asked votes (it may be a voter of a configuration it has not received yet); only the candidate's
        // configuration decides whether the vote counts
        assertTrue(learner.<VoteResponse>takeSent(MessageType.VOTE_RESPONSE).get(0).isGranted(), "a learner asked votes");
        learner.receive(append(1, 4, 1, 0, 0, 0, 1, 1));
        learner.flushAll();
        assertEquals(2, learner.log.size());
        assertEquals(Role.LEARNER, learner.engine.role(), "a learner stays a learner under a leader");

        final TestNode leader = new TestNode(dev.raft.api.config.RaftConfig.builder().nodeId(1)
            .initialMembership(withLearner).build(), 1).start(Vote.INITIAL);
        elect(leader, 2, 3);
        leader.flushAll();
        leader.receive(ok(4, 1, leader.engine.term(), 1));
        assertEquals(0, leader.engine.commitIndex(), "the learner's copy does not count");
        leader.receive(ok(2, 1, leader.engine.term(), 1));
        assertEquals(1, leader.engine.commitIndex());
    }

    @Test
    void votesFromNonMembersAndMisaddressedMessagesAreCountedAndDropped() {
        // (a leader's AppendEntries and InstallSnapshot from a non-member are accepted: they reach a node that
        // joins before it knows the configuration that adds it; see MembershipEngineTest)
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 1).start(Vote.INITIAL);
        n.receive(new VoteRequest().set(7, 1, 9, 0, 0, true, false)); // a pre-vote from a non-member
        n.receive(new VoteRequest().set(7, 1, 9, 0, 0, false, false)); // a vote request from a non-member
        n.receive(new VoteRequest().set(2, 3, 9, 0, 0, false, false)); // not for this node
        assertEquals(3, n.engine.unknownSenderDropped());
        assertTrue(n.commands.isEmpty());
        assertEquals(0, n.engine.term());
    }
}
