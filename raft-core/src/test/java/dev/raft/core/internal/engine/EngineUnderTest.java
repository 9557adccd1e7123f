package dev.raft.core.internal.engine;

import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.error.SnapshotMismatchException;
import dev.raft.api.message.RaftMessage;
import org.agrona.DirectBuffer;

/**
 * A {@link RaftEngine} as the rule tests drive it: each event is passed on and its commands executed at
 * once by the owning {@link TestNode}; the views read the engine's state and counters.
 */
final class EngineUnderTest {
    final RaftEngine raw;
    private final Runnable execute;

    EngineUnderTest(RaftEngine raw, Runnable execute) {
        this.raw = raw;
        this.execute = execute;
    }

    // ------------------------------------------------------------------ events

    LogTerms log() {
        return raw.log();
    }

    void start(long nowNanos, Vote vote, long appliedIndex) {
        raw.start(nowNanos, vote, appliedIndex);
        execute.run();
    }

    void advanceTime(long nowNanos) {
        raw.advanceTime(nowNanos);
    }

    void tick(long nowNanos) {
        raw.tick(nowNanos);
        execute.run();
    }

    void onMessage(RaftMessage message) {
        raw.onMessage(message);
        execute.run();
    }

    long propose(DirectBuffer command, int offset, int length) {
        return raw.propose(command, offset, length);
    }

    void flushPending() {
        raw.flushPending();
        execute.run();
    }

    void onLogFlushed(long index) {
        raw.onLogFlushed(index);
        execute.run();
    }

    boolean changeMembership(long expectedIndex, int[] voters, int[] learners) {
        try {
            return raw.changeMembership(expectedIndex, voters, learners, java.util.Map.of());
        } finally {
            execute.run();
        }
    }

    boolean addLearner(int id, String endpoint) {
        try {
            return raw.addLearner(id, endpoint);
        } finally {
            execute.run();
        }
    }

    boolean transferLeadership(int target) {
        try {
            return raw.transferLeadership(target);
        } finally {
            execute.run();
        }
    }

    dev.raft.api.Membership membership() {
        return raw.state().membership();
    }

    long membershipIndex() {
        return raw.state().membershipIndex();
    }

    boolean beginSnapshotBuild() {
        final boolean begun = raw.beginSnapshotBuild();
        execute.run();
        return begun;
    }

    void snapshotBuildEnded() {
        raw.snapshotBuildEnded();
        execute.run();
    }

    void snapshotBuilt(SnapshotMeta meta, long size) {
        raw.snapshotBuilt(meta, size);
        execute.run();
    }

    // ------------------------------------------------------------------ views

    int selfId() {
        return raw.state().selfId();
    }

    Role role() {
        return raw.state().role();
    }

    boolean isLeader() {
        return raw.state().isLeader();
    }

    long term() {
        return raw.state().term();
    }

    int votedFor() {
        return raw.state().votedFor();
    }

    int leaderId() {
        return raw.state().leaderId();
    }

    long commitIndex() {
        return raw.state().commitIndex();
    }

    long durableIndex() {
        return raw.state().durableIndex();
    }

    long lastLogIndex() {
        return raw.state().lastLogIndex();
    }

    long lastLogTerm() {
        return raw.state().lastLogTerm();
    }

    long purgedIndex() {
        return raw.state().purgedIndex();
    }

    SnapshotMeta currentSnapshot() {
        return raw.state().currentSnapshot();
    }

    long matchIndex(int nodeId) {
        return raw.replication().matchIndex(nodeId);
    }

    long nextIndex(int nodeId) {
        return raw.replication().nextIndex(nodeId);
    }

    int inflightCount(int nodeId) {
        return raw.replication().inflightCount(nodeId);
    }

    boolean isReplicating(int nodeId) {
        return raw.replication().isReplicating(nodeId);
    }

    boolean snapshotIdle() {
        return raw.snapshots().isIdle();
    }

    String snapshotState() {
        return raw.snapshots().describe();
    }

    SnapshotMismatchException lastSnapshotMismatch() {
        return raw.snapshots().lastMismatch();
    }

    long counter(EngineCounter counter) {
        return raw.counters().get(counter);
    }

    long electionsStarted() {
        return counter(EngineCounter.ELECTIONS_STARTED);
    }

    long unknownSenderDropped() {
        return counter(EngineCounter.UNKNOWN_SENDER_DROPPED);
    }

    long unsupportedDropped() {
        return counter(EngineCounter.UNSUPPORTED_DROPPED);
    }

    long snapshotsSkippedStale() {
        return counter(EngineCounter.SNAPSHOTS_SKIPPED_STALE);
    }

    long snapshotMismatches() {
        return counter(EngineCounter.SNAPSHOT_MISMATCHES);
    }

    long snapshotWriteFailures() {
        return counter(EngineCounter.SNAPSHOT_WRITE_FAILURES);
    }

    long snapshotBuildsAborted() {
        return counter(EngineCounter.SNAPSHOT_BUILDS_ABORTED);
    }

    long snapshotStreamsDropped() {
        return counter(EngineCounter.SNAPSHOT_STREAMS_DROPPED);
    }

    long snapshotChunksSent() {
        return counter(EngineCounter.SNAPSHOT_CHUNKS_SENT);
    }

    long snapshotTransfersCompleted() {
        return counter(EngineCounter.SNAPSHOT_TRANSFERS_COMPLETED);
    }

    long snapshotTransferResumes() {
        return counter(EngineCounter.SNAPSHOT_TRANSFER_RESUMES);
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
