package dev.raft.core.internal.engine.snapshot;

import dev.raft.api.LogId;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.SnapshotMismatchException;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.InstallSnapshotResponse.Status;
import dev.raft.api.message.MessageType;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.membership.ConfigHistory;
import dev.raft.core.internal.engine.replication.FollowerReplication;

/**
 * The follower side of InstallSnapshot (DESIGN §4, after the seed's receive state machine) and the node's
 * one-at-a-time snapshot state ({@link ReceiveState}: none, a local build, or a stream from the leader).
 *
 * <p>On a chunk: an older term is answered STALE_TERM and changes nothing; otherwise the election timer is
 * reset, a higher term adopted (persisted before any answer) and the leader recorded. A snapshot not newer
 * than what was applied is acknowledged SKIPPED_STALE and discarded. Then by state: none begins a stream; a
 * local build is aborted, then a stream begins; the same snapshot continues; another snapshot at offset 0
 * replaces the stream; another at an offset &gt; 0 is a MISMATCH (so is a stream that would begin past 0).
 * Each chunk is written at its own offset ({@code WRITE_SNAPSHOT_CHUNK}, reported back through
 * {@link #onChunkWritten}); when every byte up to the last chunk is written the snapshot is installed
 * ({@code INSTALL_SNAPSHOT}, reported through {@link #onInstalled}), the log purged keeping
 * {@code maxAppliedLogToKeep} entries, and INSTALLED answered.
 */
public final class SnapshotReceiver {
    private final RaftState state;
    private final ReceiveState receive = new ReceiveState();
    private RoleChanges roles;
    private FollowerReplication follower;
    private ConfigHistory configs;
    /** When a receive stream without chunks is abandoned (the leader that sent it is gone). */
    private long receiveDeadline;
    private SnapshotMismatchException lastMismatch;

    /** The chunk whose write (or the install it completed) waits for its report: what its answer names. */
    private int answerTo;
    private String answerSnapshotId;
    private long answerChunkOffset;
    private long answerChunkEnd;
    private boolean answerDone;
    private SnapshotMeta installing;
    private long installingSize;

    /** A receiver for {@code state}. */
    public SnapshotReceiver(RaftState state) {
        this.state = state;
    }

    /** Connects the handlers this one calls. */
    public void wire(RoleChanges roleChanges, FollowerReplication followerReplication, ConfigHistory configHistory) {
        this.roles = roleChanges;
        this.follower = followerReplication;
        this.configs = configHistory;
    }

    /** A chunk arrived. */
    public void onInstallSnapshot(InstallSnapshotRequest req) {
        if (req.term() < state.term) {
            state.count(EngineCounter.STALE_MESSAGES);
            reply(req.from(), req.snapshotId(), req.chunkOffset(), Status.STALE_TERM, 0); // carries the current term
            return;
        }
        if (req.term() > state.term || (state.role != Role.FOLLOWER && state.role != Role.LEARNER)
            || state.leaderId != req.from()) {
            roles.becomeFollower(req.term(), req.from()); // a higher term is persisted before the answer
        }
        state.lastLeaderContact = state.now;
        state.resetElectionTimer();
        receiveDeadline = state.now + 2 * state.snapshotTimeoutNanos;
        if (req.lastLogId().index() <= state.commitIndex) {
            // beyond the reference: the state machine already holds everything the snapshot covers (every
            // committed entry is applied before the next event); acknowledge, discard, never roll back
            state.count(EngineCounter.SNAPSHOTS_SKIPPED_STALE);
            if (receive.isStreaming() && receive.meta.snapshotId().equals(req.snapshotId())) {
                dropStream();
            }
            reply(req.from(), req.snapshotId(), req.chunkOffset(), Status.SKIPPED_STALE,
                req.chunkOffset() + req.dataLength());
            return;
        }
        switch (receive.state) {
            case NONE -> beginStream(req);
            case BUILDING -> {
                state.count(EngineCounter.SNAPSHOT_BUILDS_ABORTED);
                receive.clear();
                state.out.abortSnapshotBuild();
                beginStream(req);
            }
            case STREAMING -> {
                if (receive.meta.snapshotId().equals(req.snapshotId())) {
                    continueStream(req);
                } else if (req.chunkOffset() == 0) {
                    dropStream();
                    beginStream(req);
                } else {
                    mismatch(req, receive.meta.snapshotId(), receive.contiguous);
                }
            }
            default -> throw new IllegalStateException("node " + state.selfId + ": snapshot state " + receive);
        }
    }

    private void beginStream(InstallSnapshotRequest req) {
        if (req.chunkOffset() > 0) {
            mismatch(req, req.snapshotId(), 0);
            return;
        }
        state.out.beginSnapshot(req.meta());
        receive.stream(req.meta());
        continueStream(req);
    }

    /** Writes the chunk at its own offset (retransmitted and resumed chunks are idempotent). */
    private void continueStream(InstallSnapshotRequest req) {
        answerTo = req.from();
        answerSnapshotId = req.snapshotId();
        answerChunkOffset = req.chunkOffset();
        answerChunkEnd = req.chunkOffset() + req.dataLength();
        answerDone = req.isDone();
        state.out.writeSnapshotChunk(req.chunkOffset(), req.dataBuffer(), req.dataLength());
    }

    /**
     * The chunk was written: the stream holds {@code contiguous} bytes from 0, or the write failed
     * ({@code contiguous < 0}; the stream is kept, the leader sends the chunk again). Installs once complete.
     */
    public void onChunkWritten(long contiguous) {
        if (contiguous < 0) {
            state.count(EngineCounter.SNAPSHOT_WRITE_FAILURES);
            reply(answerTo, answerSnapshotId, answerChunkOffset, Status.WRITE_FAILED, receive.contiguous);
            return;
        }
        receive.contiguous = contiguous;
        if (answerDone) {
            receive.doneSize = answerChunkEnd;
        }
        if (receive.doneSize < 0 || receive.contiguous < receive.doneSize) {
            reply(answerTo, answerSnapshotId, answerChunkOffset, Status.ACCEPTED, receive.contiguous);
            return;
        }
        installing = receive.meta;
        installingSize = receive.doneSize;
        receive.clear();
        state.out.installSnapshot(installing);
    }

    /** The completed stream was installed into the state machine ({@code ok}), or could not be made durable. */
    public void onInstalled(boolean ok) {
        final SnapshotMeta meta = installing;
        installing = null;
        if (!ok) {
            state.count(EngineCounter.SNAPSHOT_WRITE_FAILURES); // the stream is gone: the leader starts over
            reply(answerTo, answerSnapshotId, answerChunkOffset, Status.WRITE_FAILED, 0);
            return;
        }
        installed(meta, installingSize);
        reply(answerTo, answerSnapshotId, answerChunkOffset, Status.INSTALLED, installingSize);
    }

    /**
     * The state machine holds {@code meta}'s state: purge the applied log keeping {@code maxAppliedLogToKeep}
     * (all of it when the log does not hold the snapshot's last entry), raise the commit, durable and
     * verified indexes to the snapshot, reload the membership from it, record it.
     */
    private void installed(SnapshotMeta meta, long size) {
        state.count(EngineCounter.SNAPSHOTS_INSTALLED);
        final LogId last = meta.lastLogId();
        if (state.log.contains(last.index()) && state.log.termAt(last.index()) == last.term()) {
            purgeApplied(last.index()); // the entries after the snapshot match it: keep them
        } else {
            if (last.index() <= state.log.lastIndex()) {
                // uncommitted entries that conflict
                follower.truncateFrom(Math.max(state.commitIndex, state.log.purgedIndex()) + 1);
            }
            state.purgeLog(last.index(), last.term());
        }
        state.durableIndex = Math.max(state.durableIndex, last.index());
        follower.verifiedUpTo(last.index());
        state.commitIndex = Math.max(state.commitIndex, last.index());
        state.appliedIndex = Math.max(state.appliedIndex, last.index());
        configs.snapshotInstalled(meta); // the snapshot's membership replaces the configurations it covers
        recordSnapshot(meta, size);
    }

    /** Receiving, time passed: a stream whose leader stopped sending is abandoned. */
    public void tick() {
        if (receive.isStreaming() && state.now - receiveDeadline >= 0) {
            dropStream();
        }
    }

    /** This node became leader: a stream from an older leader is dropped. */
    public void dropStreamOnLeadership() {
        if (receive.isStreaming()) {
            dropStream();
        }
    }

    private void dropStream() {
        state.count(EngineCounter.SNAPSHOT_STREAMS_DROPPED);
        receive.clear();
        state.out.abortSnapshot();
    }

    private void mismatch(InstallSnapshotRequest req, String expectedId, long expectedOffset) {
        state.count(EngineCounter.SNAPSHOT_MISMATCHES);
        lastMismatch = new SnapshotMismatchException(expectedId, expectedOffset, req.snapshotId(), req.chunkOffset());
        // the answer names the request's snapshot: the offset expected of it (0 when another stream is in progress)
        reply(req.from(), req.snapshotId(), req.chunkOffset(), Status.MISMATCH,
            expectedId.equals(req.snapshotId()) ? expectedOffset : 0);
    }

    private void reply(int to, String snapshotId, long chunkOffset, Status status, long nextOffset) {
        final InstallSnapshotResponse resp = state.out.message(MessageType.INSTALL_SNAPSHOT_RESPONSE);
        resp.set(state.selfId, to, state.term, snapshotId, chunkOffset, status, nextOffset);
        state.out.send(resp);
    }

    // ------------------------------------------------------------------ local builds

    /**
     * Asks to start building a snapshot locally. Refused while one is built or received (one snapshot state
     * at a time); a stream that begins later aborts the build ({@code ABORT_SNAPSHOT_BUILD}).
     *
     * @return whether the build may start; if so, {@link #buildEnded()} must follow
     */
    public boolean beginBuild() {
        if (receive.state != ReceiveState.State.NONE) {
            return false;
        }
        receive.state = ReceiveState.State.BUILDING;
        return true;
    }

    /** The local build ended (finished, failed or aborted). */
    public void buildEnded() {
        if (receive.state == ReceiveState.State.BUILDING) {
            receive.clear();
        }
    }

    /**
     * A locally built snapshot is durable: if newer than the current one it becomes current, and the log is
     * purged keeping {@code maxAppliedLogToKeep} applied entries.
     */
    public void built(SnapshotMeta meta, long size) {
        if (recordSnapshot(meta, size)) {
            purgeApplied(meta.lastLogId().index());
        }
    }

    /** Purges the log up to {@code upToIndex - maxAppliedLogToKeep} (entries the snapshot covers). */
    private void purgeApplied(long upToIndex) {
        final long index = Math.min(upToIndex, state.log.lastIndex()) - state.maxAppliedLogToKeep;
        if (index > state.log.purgedIndex()) {
            state.purgeLog(index, state.log.termAt(index));
        }
    }

    /** Makes {@code meta} the current snapshot if it is newer than the current one. */
    private boolean recordSnapshot(SnapshotMeta meta, long size) {
        if (state.snapshot != null && !meta.lastLogId().isNewerThan(state.snapshot.lastLogId())) {
            return false;
        }
        state.snapshot = meta;
        state.snapshotSize = size;
        return true;
    }

    /** Whether no snapshot is being built or received (a build may begin). */
    public boolean isIdle() {
        return receive.state == ReceiveState.State.NONE;
    }

    /** The snapshot state: NONE, BUILDING or a stream (for tests and logs). */
    public String describe() {
        return receive.toString();
    }

    /** The last mismatch reported to a leader, or null. */
    public SnapshotMismatchException lastMismatch() {
        return lastMismatch;
    }
}
