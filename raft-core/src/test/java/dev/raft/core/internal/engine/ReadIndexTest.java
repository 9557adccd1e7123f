package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.api.Vote;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.core.internal.engine.read.ReadFailure;
import dev.raft.core.internal.engine.read.Reads;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Reads without the log: ReadIndex rounds, the lease, follower reads. Deterministic (manual time and delivery). */
class ReadIndexTest {

    private static TestNet leaderOf3(int[] leaderOut) {
        final TestNet net = new TestNet(3, b -> b);
        leaderOut[0] = net.electLeader();
        net.run(60); // the blank entry of the term is committed everywhere
        for (TestNode n : net.nodes.values()) {
            n.commands.clear();
        }
        return net;
    }

    private static void write(TestNet net, int leader) {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[] {1});
        assertTrue(net.node(leader).engine.propose(command, 0, 1) > 0);
        net.node(leader).engine.flushPending();
        net.settle();
    }

    /** Ticks {@code n} by a millisecond (well within every timer), which starts the round of its waiting reads. */
    private static void tickOnce(TestNode n) {
        n.advanceMillis(1);
    }

    @Test
    void oneRoundServesEveryReadThatArrivedMeanwhileAtTheCommitIndex() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        write(net, l[0]);
        final long commit = leader.engine.commitIndex();
        final long roundsBefore = leader.engine.raw.counters().get(EngineCounter.READ_ROUNDS);
        for (long id = 1; id <= 5; id++) {
            assertEquals(Reads.QUEUED, leader.engine.raw.read(id, false));
        }
        tickOnce(leader);
        final List<AppendEntriesRequest> heartbeats = leader.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(2, heartbeats.size(), "one heartbeat per follower for the round: " + heartbeats);
        final long seq = heartbeats.get(0).readSeq();
        assertTrue(seq > 0);
        heartbeats.forEach(h -> assertEquals(seq, h.readSeq()));
        // reads arriving while the round is in flight wait for the next one
        assertEquals(Reads.QUEUED, leader.engine.raw.read(6, false));
        assertEquals(Reads.QUEUED, leader.engine.raw.read(7, false));
        tickOnce(leader);
        assertTrue(leader.takeSent(MessageType.APPEND_ENTRIES_REQUEST).isEmpty(), "one round in flight at a time");
        assertTrue(leader.commands("readReady").isEmpty(), "nothing before a quorum answers");

        // one follower answers: with the leader, a quorum of 3
        final TestNode follower = net.node(heartbeats.get(0).to());
        follower.receive(heartbeats.get(0));
        final List<AppendEntriesResponse> answers = follower.takeSent(MessageType.APPEND_ENTRIES_RESPONSE);
        assertEquals(seq, answers.get(0).readSeq(), "the follower echoes the round");
        leader.receive(answers.get(0));
        assertEquals(List.of(new TestNode.Cmd("readReady", 5, commit, null)), leader.commands("readReady"));
        // the second batch starts its round at once
        final List<AppendEntriesRequest> next = leader.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(2, next.size());
        assertEquals(seq + 1, next.get(0).readSeq());
        leader.outbox.addAll(next);
        net.settle();
        assertEquals(new TestNode.Cmd("readReady", 7, commit, null), leader.commands("readReady").get(1));
        assertEquals(2, leader.engine.raw.counters().get(EngineCounter.READ_ROUNDS) - roundsBefore,
            "two rounds for seven reads");
    }

    @Test
    void aPartitionedOldLeaderNeverServesAReadIndexRead() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode old = net.node(l[0]);
        net.isolated.add(l[0]);
        // the majority elects a new leader and commits a write the old leader never sees
        int newLeader = 0;
        for (int i = 0; i < 500 && newLeader == 0; i++) {
            for (TestNode n : net.nodes.values()) {
                if (n != old) {
                    n.advanceMillis(10);
                }
            }
            net.settle();
            newLeader = net.leader();
        }
        assertTrue(newLeader != 0 && newLeader != l[0]);
        net.run(60);
        write(net, newLeader);
        // the old leader, whose clock has not moved, still believes it leads and is asked to read
        assertEquals(Role.LEADER, old.engine.role(), "the isolated node still believes it leads");
        final long answer = old.engine.raw.read(1, false);
        if (answer == Reads.QUEUED) {
            for (int t = 0; t < 100; t++) {
                old.advanceMillis(10);
                old.outbox.clear(); // partitioned: nothing arrives
            }
        }
        assertTrue(old.commands("readReady").isEmpty(), "served a read it could not confirm: " + old.commands);
        assertTrue(answer < 0 || !old.commands("readFailed").isEmpty() || !old.commands("leadershipLost").isEmpty(),
            "the read must fail (or the leadership be lost): " + old.commands);
    }

    @Test
    void aPartitionedOldLeaderWithoutCheckQuorumFailsItsReadsInsteadOfServingThem() {
        final TestNet net = new TestNet(3, b -> b.checkQuorum(false));
        final int l = net.electLeader();
        net.run(60);
        final TestNode old = net.node(l);
        net.isolated.add(l);
        assertEquals(Reads.QUEUED, old.engine.raw.read(1, false));
        for (int t = 0; t < 100; t++) {
            old.advanceMillis(10);
            old.outbox.clear();
        }
        assertEquals(Role.LEADER, old.engine.role(), "without CheckQuorum it never steps down by itself");
        assertTrue(old.commands("readReady").isEmpty());
        assertEquals(List.of(new TestNode.Cmd("readFailed", 1, ReadFailure.NOT_READY.ordinal(), null)),
            old.commands("readFailed"), "failed after an election timeout without a quorum");
        assertEquals(Reads.QUEUED, old.engine.raw.read(2, true), "no lease without CheckQuorum");
    }

    @Test
    void aNewLeaderServesNoReadBeforeItsFirstCommit() {
        final TestNode n = new TestNode(TestNode.config(1, 1, 2, 3).build(), 7).start(new Vote(1, 1), 1, 1);
        n.runMillis(310);
        for (int round = 0; round < 2 && n.engine.role() != Role.LEADER; round++) {
            for (VoteRequest r : n.<VoteRequest>takeSent(MessageType.VOTE_REQUEST)) {
                n.receive(new VoteResponse().set(r.to(), 1, r.term(), true, r.isPreVote()));
            }
        }
        assertEquals(Role.LEADER, n.engine.role());
        n.flushAll();
        assertEquals(Reads.NOT_READY, n.engine.raw.read(1, false), "the blank entry of its term is not committed");
        assertEquals(Reads.NOT_READY, n.engine.raw.read(2, true), "nor from a lease");
        final ReadIndexRequest ask = new ReadIndexRequest().set(2, 1, n.engine.term(), 9, false);
        n.outbox.clear();
        n.receive(ask);
        final List<ReadIndexResponse> refused = n.takeSent(MessageType.READ_INDEX_RESPONSE);
        assertEquals(ReadIndexResponse.Status.NOT_READY, refused.get(0).status(), "nor a follower's");
        // a follower acknowledges the blank entry: committed, reads are served
        final long blank = n.engine.lastLogIndex();
        n.receive(new AppendEntriesResponse().success(2, 1, n.engine.term(), blank, blank));
        assertEquals(blank, n.engine.commitIndex());
        assertEquals(Reads.QUEUED, n.engine.raw.read(3, false));
    }

    @Test
    void leaseReadsAreServedAtOnceWhileTheLeaseHoldsAndStopWhenItExpires() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        assertEquals(Reads.QUEUED, leader.engine.raw.read(1, true), "no lease before a confirmed round");
        tickOnce(leader);
        net.settle();
        assertEquals(1, leader.commands("readReady").size());
        final long commit = leader.engine.commitIndex();
        assertEquals(commit, leader.engine.raw.read(2, true), "served at once from the lease");
        assertTrue(leader.engine.raw.reads().leader().leaseHolds());
        // the leader is cut off: the lease (150 ms - 30 ms drift from the round's start) runs out
        net.isolated.add(l[0]);
        for (int t = 0; t < 11; t++) {
            leader.advanceMillis(10);
            leader.outbox.clear();
        }
        assertEquals(commit, leader.engine.raw.read(3, true), "111 ms after the round: still within the lease");
        leader.advanceMillis(10);
        leader.outbox.clear();
        assertFalse(leader.engine.raw.reads().leader().leaseHolds(), "121 ms after the round: expired");
        assertEquals(Reads.QUEUED, leader.engine.raw.read(4, true), "no longer served from the lease");
    }

    @Test
    void aLeadershipTransferEndsTheLeaseForTheRestOfTheTerm() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        leader.engine.raw.read(1, true);
        tickOnce(leader);
        net.settle();
        assertTrue(leader.engine.raw.read(2, true) > 0, "served from the lease");
        leader.engine.raw.reads().leadershipTransferStarted();
        assertEquals(Reads.QUEUED, leader.engine.raw.read(3, true), "a transfer's target may win despite the lease");
        tickOnce(leader);
        net.settle();
        assertEquals(Reads.QUEUED, leader.engine.raw.read(4, true), "a confirmed round does not bring the lease back");
        assertEquals(2, leader.commands("readReady").size(), "ReadIndex rounds go on: " + leader.commands);
    }

    @Test
    void theEngineEndsTheLeaseWhenItBeginsALeadershipTransfer() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        leader.engine.raw.read(1, true);
        tickOnce(leader);
        net.settle();
        assertTrue(leader.engine.raw.read(2, true) > 0, "served from the lease");
        assertTrue(leader.engine.raw.transferLeadership(l[0] % 3 + 1), "the transfer begins");
        assertTrue(leader.engine.raw.read(3, true) <= 0, "no read served from the lease once a transfer began");
    }

    @Test
    void whileLeaseReadsAreAskedForTheRegularHeartbeatsKeepTheLeaseFresh() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        leader.engine.raw.read(1, true);
        tickOnce(leader);
        net.settle();
        final long roundsBefore = leader.engine.raw.counters().get(EngineCounter.READ_ROUNDS);
        for (int i = 0; i < 40; i++) { // 400 ms, well past one lease
            net.run(10);
            assertTrue(leader.engine.raw.read(100 + i, true) > 0, "lease read " + i + " not served at once");
        }
        assertEquals(roundsBefore, leader.engine.raw.counters().get(EngineCounter.READ_ROUNDS),
            "no extra round: the regular heartbeats carried the lease");
    }

    @Test
    void aFollowerAsksTheLeaderForTheReadIndexAndIsAnsweredAfterTheRound() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        final TestNode follower = net.nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
        write(net, l[0]);
        final long commit = leader.engine.commitIndex();
        assertEquals(Reads.QUEUED, follower.engine.raw.read(1, false));
        assertEquals(Reads.QUEUED, follower.engine.raw.read(2, false));
        tickOnce(follower);
        final List<ReadIndexRequest> asks = follower.takeSent(MessageType.READ_INDEX_REQUEST);
        assertEquals(1, asks.size(), "one request for the batch");
        leader.receive(asks.get(0));
        assertTrue(leader.takeSent(MessageType.READ_INDEX_RESPONSE).isEmpty(), "not answered before its round");
        final List<AppendEntriesRequest> round = leader.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        assertEquals(2, round.size(), "the request starts a round at once");
        leader.outbox.addAll(round);
        net.settle();
        assertEquals(List.of(new TestNode.Cmd("readReady", 2, commit, null)), follower.commands("readReady"));
    }

    @Test
    void aFollowerWithoutALeaderRefusesAndOneUnansweredFailsAfterAnElectionTimeout() {
        final TestNode lonely = new TestNode(TestNode.config(2, 1, 2, 3).build(), 3).start(Vote.INITIAL);
        assertEquals(Reads.NOT_LEADER, lonely.engine.raw.read(1, false));
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode follower = net.nodes.values().stream().filter(n -> n.engine.role() != Role.LEADER)
            .findFirst().orElseThrow();
        assertEquals(Reads.QUEUED, follower.engine.raw.read(1, false));
        tickOnce(follower);
        assertEquals(1, follower.takeSent(MessageType.READ_INDEX_REQUEST).size()); // lost
        for (int t = 0; t < 15; t++) {
            follower.advanceMillis(10);
        }
        assertEquals(List.of(new TestNode.Cmd("readFailed", 1, ReadFailure.NOT_READY.ordinal(), null)),
            follower.commands("readFailed"));
    }

    @Test
    void anEchoFromAnEarlierTermConfirmsNothing() {
        final int[] l = new int[1];
        final TestNet net = leaderOf3(l);
        final TestNode leader = net.node(l[0]);
        leader.engine.raw.read(1, false);
        tickOnce(leader);
        final List<AppendEntriesRequest> heartbeats = leader.takeSent(MessageType.APPEND_ENTRIES_REQUEST);
        final long seq = heartbeats.get(0).readSeq();
        final int from = heartbeats.get(0).to();
        leader.receive(new AppendEntriesResponse().success(from, l[0], leader.engine.term() - 1, 1, 1).readSeq(seq));
        leader.receive(new AppendEntriesResponse().success(from, l[0], leader.engine.term(), 1, 1).readSeq(seq + 5));
        assertTrue(leader.commands("readReady").isEmpty(), "an older term's answer, or an echo of a round never sent");
        leader.receive(new AppendEntriesResponse().success(from, l[0], leader.engine.term(), 1, 1).readSeq(seq - 1));
        assertTrue(leader.commands("readReady").isEmpty(), "an echo of a round begun before the read");
        leader.receive(new AppendEntriesResponse().success(from, l[0], leader.engine.term(), 1, 1).readSeq(seq));
        assertEquals(1, leader.commands("readReady").size());
    }
}
