package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.SnapshotMismatchException;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.InstallSnapshotResponse.Status;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The InstallSnapshot rules of DESIGN §4, one test per branch of the follower's receive state machine,
 * then the leader's chunked, windowed, resumable transfer. Deterministic: manual time, recorded commands.
 */
class SnapshotEngineTest {
    private static final Membership MEMBERS = Membership.of(1, 2, 3);
    private static final byte[] DATA = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21};

    private static TestNode follower(UnaryOperator<RaftConfig.Builder> tweak, Vote vote, long... terms) {
        return new TestNode(tweak.apply(TestNode.config(1, 1, 2, 3)).build(), 7).start(vote, terms);
    }

    private static TestNode follower(long... terms) {
        return follower(b -> b, Vote.INITIAL, terms);
    }

    private static SnapshotMeta meta(String id, long term, long index) {
        return new SnapshotMeta(id, LogId.of(term, index), MEMBERS);
    }

    /** Chunk [offset, offset + length) of {@link #DATA} for snapshot {@code meta}, from leader 2. */
    private static InstallSnapshotRequest chunk(long term, SnapshotMeta meta, int offset, int length, boolean done) {
        return new InstallSnapshotRequest().set(2, 1, term, meta, offset, new UnsafeBuffer(DATA), offset, length, done);
    }

    private static InstallSnapshotResponse reply(TestNode n) {
        final List<InstallSnapshotResponse> sent = n.takeSent(MessageType.INSTALL_SNAPSHOT_RESPONSE);
        assertEquals(1, sent.size(), () -> "one response expected: " + sent);
        return sent.get(0);
    }

    private static void assertReply(InstallSnapshotResponse r, long term, Status status, long nextOffset) {
        assertEquals(status, r.status(), r::toString);
        assertEquals(term, r.term(), r::toString);
        assertEquals(nextOffset, r.nextOffset(), r::toString);
    }

    private static void assertMismatch(TestNode n, String expectedId, long expectedOffset, String gotId, long gotOffset) {
        final SnapshotMismatchException e = n.engine.lastSnapshotMismatch();
        assertEquals(expectedId, e.expectedId());
        assertEquals(expectedOffset, e.expectedOffset());
        assertEquals(gotId, e.gotId());
        assertEquals(gotOffset, e.gotOffset());
    }

    // ------------------------------------------------------------------ step 1-2: term, timer, leader, role

    @Test
    void staleTermIsAnsweredWithTheCurrentTermAndChangesNothing() {
        final TestNode n = follower(b -> b, new Vote(5, NodeId.NONE), 1, 1);
        n.receive(chunk(3, meta("s1", 1, 9), 0, 4, false));
        assertReply(reply(n), 5, Status.STALE_TERM, 0);
        assertEquals(1, n.commands.size(), n.commands::toString); // only the reply
        assertEquals(5, n.engine.term());
        assertEquals(NodeId.NONE, n.engine.leaderId());
        assertEquals("NONE", n.engine.snapshotState());
    }

    @Test
    void higherTermIsPersistedBeforeTheReplyAndTheLeaderRecorded() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(4, meta("s1", 1, 9), 0, 4, false));
        final int persisted = n.indexOfCommand(c -> c.kind().equals("persistVote") && c.a() == 4);
        final int replied = n.indexOfCommand(c -> c.message() != null && c.message().type() == MessageType.INSTALL_SNAPSHOT_RESPONSE);
        assertTrue(persisted >= 0 && persisted < replied, n.commands::toString);
        assertEquals(4, n.savedVote.term());
        assertEquals(2, n.engine.leaderId());
        assertEquals(Role.FOLLOWER, n.engine.role());
    }

    @Test
    void eachChunkResetsTheElectionTimer() {
        final TestNode n = follower(1, 1);
        n.runMillis(140); // a timeout fires within [150, 300) ms: 420 ms pass without one
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        n.runMillis(140);
        n.receive(chunk(1, meta("s1", 1, 9), 4, 4, false));
        n.runMillis(140);
        assertEquals(0, n.engine.electionsStarted());
        assertEquals(Role.FOLLOWER, n.engine.role());
    }

    @Test
    void candidateAndLeaderStepDownAndLearnerStaysLearner() {
        final TestNode c = follower(b -> b.preVote(false), Vote.INITIAL, 1);
        c.runMillis(310);
        assertEquals(Role.CANDIDATE, c.engine.role());
        c.receive(chunk(c.engine.term(), meta("s1", 1, 9), 0, 4, false));
        assertEquals(Role.FOLLOWER, c.engine.role());
        assertEquals(2, c.engine.leaderId());

        final TestNode leader = follower(b -> b.preVote(false), Vote.INITIAL, 1);
        leader.runMillis(310);
        leader.receive(new dev.raft.api.message.VoteResponse().set(2, 1, leader.engine.term(), true, false));
        assertEquals(Role.LEADER, leader.engine.role());
        final long leaderTerm = leader.engine.term();
        leader.receive(chunk(leaderTerm + 1, meta("s1", 1, 9), 0, 4, false));
        assertEquals(Role.FOLLOWER, leader.engine.role());
        assertEquals(1, leader.commands("leadershipLost").size());
        assertEquals(leaderTerm + 1, leader.savedVote.term());

        final TestNode learner = new TestNode(TestNode.config(1, 2, 3)
            .initialMembership(Membership.of(2, 3).withLearners(1)).build(), 7).start(Vote.INITIAL, 1);
        learner.receive(chunk(3, meta("s1", 1, 9), 0, 4, false));
        assertEquals(Role.LEARNER, learner.engine.role());
        assertEquals(2, learner.engine.leaderId());
        assertReply(reply(learner), 3, Status.ACCEPTED, 4);
    }

    // ------------------------------------------------------------------ step 3-4: the five snapshot-state cases

    @Test
    void noneBeginsAStream() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        assertEquals(1, n.commands("beginSnapshot").size());
        assertReply(reply(n), 1, Status.ACCEPTED, 4);
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s1 contiguous=4"), n.engine.snapshotState());
    }

    @Test
    void aLocalBuildInProgressIsAbortedThenTheStreamBegins() {
        final TestNode n = follower(1, 1);
        assertTrue(n.engine.beginSnapshotBuild());
        assertFalse(n.engine.beginSnapshotBuild(), "one snapshot state at a time");
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        final int aborted = n.indexOfCommand(c -> c.kind().equals("abortBuild"));
        final int begun = n.indexOfCommand(c -> c.kind().equals("beginSnapshot"));
        assertTrue(aborted >= 0 && aborted < begun, n.commands::toString);
        assertEquals(1, n.engine.snapshotBuildsAborted());
        assertFalse(n.engine.beginSnapshotBuild(), "no build while a stream is received");
        n.engine.snapshotBuildEnded(); // the aborted build reports late: the stream is untouched
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s1"), n.engine.snapshotState());
    }

    @Test
    void theSameIdContinuesTheStream() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        n.receive(chunk(1, meta("s1", 1, 9), 4, 4, false));
        assertEquals(1, n.commands("beginSnapshot").size());
        assertEquals(2, n.commands("write").size());
        final List<InstallSnapshotResponse> replies = n.takeSent(MessageType.INSTALL_SNAPSHOT_RESPONSE);
        assertReply(replies.get(1), 1, Status.ACCEPTED, 8);
    }

    @Test
    void aDifferentIdAtOffsetZeroDropsTheOldStreamAndBegins() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        n.receive(chunk(1, meta("s2", 1, 10), 0, 4, false));
        final int dropped = n.indexOfCommand(c -> c.kind().equals("abortSnapshot"));
        final int lastBegin = n.commands.lastIndexOf(n.commands("beginSnapshot").get(1));
        assertTrue(dropped >= 0 && dropped < lastBegin, n.commands::toString);
        assertEquals("s2", n.receivingMeta.snapshotId());
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s2 contiguous=4"), n.engine.snapshotState());
    }

    @Test
    void aDifferentIdAtOffsetAboveZeroIsAMismatchNamingBothStreams() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        n.takeSent(null);
        n.receive(chunk(1, meta("s2", 1, 10), 8, 4, false));
        assertReply(reply(n), 1, Status.MISMATCH, 0); // restart s2 at 0
        assertMismatch(n, "s1", 4, "s2", 8);
        assertEquals(1, n.engine.snapshotMismatches());
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s1 contiguous=4"), "the old stream is kept");
    }

    @Test
    void beginningAtOffsetAboveZeroIsAMismatchExpectingOffsetZero() {
        final TestNode n = follower(1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 4, 4, false));
        assertReply(reply(n), 1, Status.MISMATCH, 0);
        assertMismatch(n, "s1", 0, "s1", 4);
        assertTrue(n.commands("beginSnapshot").isEmpty());
        assertEquals("NONE", n.engine.snapshotState());
    }

    // ------------------------------------------------------------------ step 5: positional writes, failures

    @Test
    void outOfOrderAndRepeatedChunksAreWrittenAtTheirOffsetsAndInstallOnceComplete() {
        final TestNode n = follower(1, 1);
        final SnapshotMeta s = meta("s1", 1, 9);
        n.receive(chunk(1, s, 0, 4, false));
        n.receive(chunk(1, s, 8, 4, true)); // the last chunk overtakes the middle one
        n.receive(chunk(1, s, 0, 4, false)); // a retransmission
        final List<InstallSnapshotResponse> early = n.takeSent(MessageType.INSTALL_SNAPSHOT_RESPONSE);
        assertReply(early.get(1), 1, Status.ACCEPTED, 4);
        assertReply(early.get(2), 1, Status.ACCEPTED, 4);
        assertTrue(n.installed.isEmpty(), "a gap remains: not installed");
        n.receive(chunk(1, s, 4, 4, false));
        assertReply(reply(n), 1, Status.INSTALLED, 12);
        assertEquals(List.of(s), n.installed);
        assertArrayEquals(DATA, n.installedBytes.get(0));
        n.receive(chunk(1, s, 4, 4, false)); // a late duplicate: already applied
        assertReply(reply(n), 1, Status.SKIPPED_STALE, 8);
        assertEquals(1, n.installed.size());
    }

    @Test
    void aFailedWriteKeepsTheStreamAndTheRetrySucceeds() {
        final TestNode n = follower(1, 1);
        final SnapshotMeta s = meta("s1", 1, 9);
        n.receive(chunk(1, s, 0, 4, false));
        n.failWrites = 1;
        n.receive(chunk(1, s, 4, 4, false));
        final List<InstallSnapshotResponse> r = n.takeSent(MessageType.INSTALL_SNAPSHOT_RESPONSE);
        assertReply(r.get(1), 1, Status.WRITE_FAILED, 4);
        assertEquals(1, n.engine.snapshotWriteFailures());
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s1 contiguous=4"), n.engine.snapshotState());
        n.receive(chunk(1, s, 4, 4, false));
        assertReply(reply(n), 1, Status.ACCEPTED, 8);
        n.receive(chunk(1, s, 8, 4, true));
        assertReply(reply(n), 1, Status.INSTALLED, 12);
        assertArrayEquals(DATA, n.installedBytes.get(0));
    }

    @Test
    void aSnapshotThatCannotBeMadeDurableIsDroppedAndRestartsAtZero() {
        final TestNode n = follower(1, 1);
        n.failInstall = true;
        n.receive(chunk(1, meta("s1", 1, 9), 0, 12, true));
        assertReply(reply(n), 1, Status.WRITE_FAILED, 0);
        assertEquals("NONE", n.engine.snapshotState());
        assertEquals(2, n.engine.lastLogIndex(), "nothing installed, log untouched");
    }

    @Test
    void aStreamWithoutChunksForTwiceTheTransferTimeoutIsAbandoned() {
        final TestNode n = follower(b -> b.snapshotTransferTimeoutMillis(100), Vote.INITIAL, 1, 1);
        n.receive(chunk(1, meta("s1", 1, 9), 0, 4, false));
        n.advanceMillis(190);
        assertTrue(n.engine.snapshotState().startsWith("Streaming{s1"), n.engine.snapshotState());
        n.advanceMillis(20);
        assertEquals("NONE", n.engine.snapshotState());
        assertEquals(1, n.commands("abortSnapshot").size());
        assertTrue(n.engine.beginSnapshotBuild(), "builds may begin again");
    }

    // ------------------------------------------------------------------ step 6-7: install, stale skip

    @Test
    void installPurgesTheAppliedLogKeepingMaxAppliedLogToKeepAndKeepsTheMatchingSuffix() {
        final TestNode n = follower(b -> b.maxAppliedLogToKeep(2), Vote.INITIAL, 1, 1, 1, 2, 2, 2);
        final SnapshotMeta s = meta("s1", 2, 5);
        n.receive(chunk(2, s, 0, 12, true));
        assertReply(reply(n), 2, Status.INSTALLED, 12);
        assertEquals(List.of(new TestNode.Cmd("purge", 3, 1, null)), n.commands("purge"));
        assertEquals(3, n.engine.purgedIndex());
        assertEquals(6, n.engine.lastLogIndex(), "the entry after the snapshot matches: kept");
        assertEquals(5, n.engine.commitIndex());
        assertEquals(s, n.engine.currentSnapshot());
        assertEquals("NONE", n.engine.snapshotState());
    }

    @Test
    void installBeyondTheLogsEndPurgesBeyondTheEnd() {
        final TestNode n = follower(1, 1, 1);
        n.receive(chunk(2, meta("s1", 2, 10), 0, 12, true));
        assertReply(reply(n), 2, Status.INSTALLED, 12);
        assertEquals(List.of(new TestNode.Cmd("purge", 10, 2, null)), n.commands("purge"));
        assertEquals(10, n.engine.lastLogIndex());
        assertEquals(2, n.engine.lastLogTerm());
        assertEquals(10, n.engine.commitIndex());
        assertEquals(10, n.engine.durableIndex());
        // normal replication continues from the snapshot's last index + 1
        n.receive(new AppendEntriesRequest().set(2, 1, 2, 10, 2, 10));
        final List<RaftMessage> acks = n.takeSent(MessageType.APPEND_ENTRIES_RESPONSE);
        assertTrue(((dev.raft.api.message.AppendEntriesResponse) acks.get(0)).isSuccess(), acks::toString);
    }

    @Test
    void installOverAConflictingUncommittedLogReplacesIt() {
        final TestNode n = follower(1, 1, 1, 1);
        n.receive(chunk(3, meta("s1", 2, 3), 0, 12, true));
        assertReply(reply(n), 3, Status.INSTALLED, 12);
        assertEquals(1, n.commands("truncate").get(0).a());
        assertEquals(3, n.engine.lastLogIndex());
        assertEquals(2, n.engine.lastLogTerm());
        assertEquals(3, n.engine.commitIndex());
    }

    @Test
    void aSnapshotNotNewerThanWhatWasAppliedIsAcknowledgedAndDiscarded() {
        final TestNode n = follower(1, 1, 1, 1, 1);
        n.receive(new AppendEntriesRequest().set(2, 1, 1, 5, 1, 5)); // commits (and so applies) 5
        assertEquals(5, n.engine.commitIndex());
        n.commands.clear();
        n.takeSent(null);
        n.receive(chunk(1, meta("old", 1, 4), 0, 4, false));
        assertReply(reply(n), 1, Status.SKIPPED_STALE, 4);
        assertTrue(n.commands("beginSnapshot").isEmpty());
        assertTrue(n.installed.isEmpty());
        assertEquals(5, n.engine.commitIndex());
        assertEquals(5, n.engine.lastLogIndex());
        assertEquals(1, n.engine.snapshotsSkippedStale());
    }

    // ------------------------------------------------------------------ leader side

    /** A three-node net whose node 3 missed entries the leader then covered by a snapshot and purged. */
    private static TestNet compactedNet(int inflightChunks) {
        final TestNet net = new TestNet(3, b -> b.snapshotChunkBytes(4).maxInflightSnapshotChunks(inflightChunks)
            .maxAppliedLogToKeep(1).snapshotTransferTimeoutMillis(500));
        final int leaderId = net.electLeader();
        final int lagging = leaderId == 3 ? 2 : 3;
        net.isolated.add(lagging);
        final TestNode leader = net.node(leaderId);
        final UnsafeBuffer cmd = new UnsafeBuffer(new byte[] {1});
        for (int i = 0; i < 5; i++) {
            leader.engine.propose(cmd, 0, 1);
        }
        net.settle();
        final long commit = leader.engine.commitIndex();
        assertTrue(leader.engine.beginSnapshotBuild());
        final SnapshotMeta s = meta("built", leader.engine.term(), commit);
        leader.snapshotData.put("built", DATA);
        leader.engine.snapshotBuilt(s, DATA.length);
        leader.engine.snapshotBuildEnded();
        assertTrue(leader.engine.snapshotIdle());
        assertEquals(commit - 1, leader.engine.purgedIndex());
        assertEquals(s, leader.engine.currentSnapshot());
        return net;
    }

    @Test
    void aBuiltSnapshotPurgesTheLogKeepingMaxAppliedLogToKeepAndAnOlderOneChangesNothing() {
        final TestNode n = follower(b -> b.maxAppliedLogToKeep(2), Vote.INITIAL, 1, 1, 1, 2, 2, 2);
        n.receive(new AppendEntriesRequest().set(2, 1, 2, 6, 2, 6)); // commits 6
        assertTrue(n.engine.beginSnapshotBuild());
        final SnapshotMeta built = meta("built", 2, 5);
        n.engine.snapshotBuilt(built, 100);
        n.engine.snapshotBuildEnded();
        assertEquals(List.of(new TestNode.Cmd("purge", 3, 1, null)), n.commands("purge"));
        assertEquals(built, n.engine.currentSnapshot());
        n.engine.snapshotBuilt(meta("older", 1, 3), 100); // finished late: not current, no purge
        assertEquals(built, n.engine.currentSnapshot());
        assertEquals(1, n.commands("purge").size());
        assertTrue(n.engine.snapshotIdle());
    }

    private static int lagging(TestNet net) {
        return net.isolated.iterator().next();
    }

    @Test
    void aFollowerBehindThePurgedPrefixGetsTheSnapshotInChunksThenTheLog() {
        final TestNet net = compactedNet(2);
        final int lag = lagging(net);
        final TestNode leader = net.node(net.leader());
        net.isolated.clear();
        net.run(100);
        final TestNode f = net.node(lag);
        assertEquals(1, f.installed.size());
        assertArrayEquals(DATA, f.installedBytes.get(0));
        assertEquals(1, leader.engine.snapshotTransfersCompleted());
        assertEquals(3, leader.engine.snapshotChunksSent(), "12 bytes in chunks of 4");
        final UnsafeBuffer cmd = new UnsafeBuffer(new byte[] {2});
        leader.engine.propose(cmd, 0, 1);
        net.settle();
        assertEquals(leader.engine.lastLogIndex(), f.engine.lastLogIndex());
        assertEquals(leader.engine.commitIndex(), f.engine.commitIndex());
        assertEquals(leader.engine.matchIndex(lag), leader.engine.lastLogIndex());
        assertTrue(leader.engine.isReplicating(lag));
    }

    @Test
    void theLeaderKeepsAtMostTheWindowInFlightAndResumesFromTheAcknowledgedOffsetAfterALostChunk() {
        final TestNet net = compactedNet(2);
        final int lag = lagging(net);
        final TestNode leader = net.node(net.leader());
        final TestNode f = net.node(lag);
        net.isolated.clear();
        final List<Long> offsets = new ArrayList<>();
        final List<Integer> perRound = new ArrayList<>();
        final boolean[] lost = {false};
        pump(net, f, r -> {
            offsets.add(r.chunkOffset());
            if (r.chunkOffset() == 4 && !lost[0]) {
                lost[0] = true; // lost on the way
                return true;
            }
            return false;
        }, perRound);
        final boolean dropped = lost[0];
        assertTrue(dropped);
        assertEquals(List.of(0L, 4L, 8L, 4L, 8L), offsets, "the window, the lost chunk's slot never freed, then the resume");
        assertEquals(2, perRound.stream().mapToInt(Integer::intValue).max().orElse(0), "at most the window in flight");
        assertEquals(1, leader.engine.snapshotTransferResumes(), "one resume, after the timeout");
        assertArrayEquals(DATA, f.installedBytes.get(0));
        net.run(100);
        assertEquals(leader.engine.lastLogIndex(), f.engine.lastLogIndex());
        assertEquals(leader.engine.commitIndex(), f.engine.commitIndex());
    }

    @Test
    void aNewLeaderRestartsTheTransferAsANewStreamAndTheFollowerReplacesTheOldOne() {
        final TestNode f = follower(1, 1);
        f.receive(chunk(1, meta("old-leader", 1, 9), 0, 4, false));
        // the new leader (node 3, term 2) sends its own snapshot from offset 0
        final SnapshotMeta s = meta("new-leader", 2, 9);
        f.receive(new InstallSnapshotRequest().set(3, 1, 2, s, 0, new UnsafeBuffer(DATA), 0, 12, true));
        assertEquals(3, f.engine.leaderId());
        assertEquals(List.of(s), f.installed);
        assertEquals(1, f.engine.snapshotStreamsDropped());
    }

    /**
     * Runs the net in 10 ms steps until {@code f} installed a snapshot (at most 2 s), delivering every
     * message but the chunks {@code lose} selects; records the number of chunks sent per delivery round.
     */
    private static void pump(TestNet net, TestNode f, java.util.function.Predicate<InstallSnapshotRequest> lose,
                             List<Integer> chunksPerRound) {
        for (int step = 0; step < 200 && f.installed.isEmpty(); step++) {
            for (TestNode n : net.nodes.values()) {
                n.advanceMillis(10);
            }
            for (int round = 0; round < 100; round++) {
                int chunks = 0;
                final List<RaftMessage> batch = new ArrayList<>();
                for (TestNode n : net.nodes.values()) {
                    n.flushAll();
                    batch.addAll(n.takeSent(null));
                }
                if (batch.isEmpty()) {
                    break;
                }
                for (RaftMessage m : batch) {
                    if (m instanceof InstallSnapshotRequest r) {
                        chunks++;
                        if (lose.test(r)) {
                            continue;
                        }
                    }
                    net.node(m.to()).receive(m);
                }
                chunksPerRound.add(chunks);
            }
        }
    }

    @Test
    void aMismatchAnswerRestartsTheTransferAtOffsetZero() {
        final TestNet net = compactedNet(2);
        final int lag = lagging(net);
        final TestNode leader = net.node(net.leader());
        final TestNode f = net.node(lag);
        // the follower is receiving another snapshot when the leader's first chunk is lost
        f.receive(new InstallSnapshotRequest().set(leader.config.nodeId(), lag, leader.engine.term(),
            meta("other", leader.engine.term(), 20), 0, new UnsafeBuffer(DATA), 0, 4, false));
        f.takeSent(null);
        net.isolated.clear();
        final boolean[] lost = {false};
        pump(net, f, r -> {
            if (r.chunkOffset() == 0 && !lost[0]) {
                lost[0] = true;
                return true;
            }
            return false;
        }, new ArrayList<>());
        assertMismatch(f, "other", 4, "built", 4);
        assertTrue(leader.engine.snapshotTransferResumes() >= 1);
        assertEquals("built", f.installed.get(0).snapshotId());
        assertArrayEquals(DATA, f.installedBytes.get(0));
    }
}
