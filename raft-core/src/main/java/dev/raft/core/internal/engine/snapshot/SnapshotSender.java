package dev.raft.core.internal.engine.snapshot;

import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.InstallSnapshotResponse.Status;
import dev.raft.api.message.MessageType;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import dev.raft.core.internal.engine.replication.Progress;
import dev.raft.core.internal.engine.replication.ProgressTracker;

/**
 * The leader side of snapshot transfer: a follower whose next entry was purged gets the current snapshot in
 * chunks of {@code snapshotChunkBytes}, a window of {@code maxInflightSnapshotChunks} in flight, resuming
 * from the follower's reported contiguous offset after {@code snapshotTransferTimeoutMillis} without an
 * answer, after a failed write or a mismatch. The bytes never pass through the engine: a command asks the
 * runtime to read and send a range. Each follower's transfer is its {@link SnapshotTransfer}.
 */
public final class SnapshotSender {
    private final RaftState state;
    private RoleChanges roles;
    private LeaderReplication replication;

    /** A sender for {@code state}. */
    public SnapshotSender(RaftState state) {
        this.state = state;
    }

    /** Connects the handlers this one calls. */
    public void wire(RoleChanges roleChanges, LeaderReplication leaderReplication) {
        this.roles = roleChanges;
        this.replication = leaderReplication;
    }

    /** A follower needs entries that were purged: stream the current snapshot to it. */
    public void snapshotNeeded(Progress pr) {
        state.count(EngineCounter.SNAPSHOTS_NEEDED);
        if (state.snapshot == null) {
            return; // the log is purged only after a snapshot: never expected
        }
        pr.becomeSnapshot();
        pr.transfer().begin(state.snapshot, state.snapshotSize);
        sendChunks(pr);
    }

    /** Sends chunks from the transfer's next offset while the window allows, up to the last chunk. */
    public void sendChunks(Progress pr) {
        final SnapshotTransfer t = pr.transfer();
        boolean sent = false;
        while (!t.doneSent && t.inflight < state.maxInflightSnapshotChunks) {
            final long offset = t.next;
            final int length = (int) Math.max(0, Math.min(state.snapshotChunkBytes, t.size - offset));
            final boolean done = offset + length >= t.size;
            final InstallSnapshotRequest header = state.out.message(MessageType.INSTALL_SNAPSHOT_REQUEST);
            header.setHeader(state.selfId, pr.nodeId(), state.term, t.meta, offset, done);
            state.out.sendSnapshotChunk(header, length);
            state.count(EngineCounter.SNAPSHOT_CHUNKS_SENT);
            t.next = offset + length;
            t.inflight++;
            t.doneSent = done;
            sent = true;
        }
        if (sent) {
            t.deadline = state.now + state.snapshotTimeoutNanos;
        }
    }

    /** Leader, time passed: transfers without an answer in time resume from what their follower reported. */
    public void tick(ProgressTracker tracker) {
        for (int i = 0; i < tracker.size(); i++) {
            final Progress pr = tracker.at(i);
            final SnapshotTransfer t = pr.transfer();
            if (pr.state() == Progress.State.SNAPSHOT && state.now - t.deadline >= 0) {
                state.count(EngineCounter.SNAPSHOT_TRANSFER_RESUMES);
                t.restartFrom(t.resumeOffset());
                sendChunks(pr);
            }
        }
    }

    /** A follower answered an InstallSnapshot chunk. */
    public void onInstallSnapshotResponse(InstallSnapshotResponse resp, ProgressTracker tracker) {
        if (!roles.isAnswerToCurrentLeader(resp.term())) {
            return;
        }
        final Progress pr = tracker.of(resp.from());
        pr.markActive(state.now);
        final SnapshotTransfer t = pr.transfer();
        if (pr.state() != Progress.State.SNAPSHOT || !t.sends(resp.snapshotId())) {
            state.count(EngineCounter.STALE_MESSAGES);
            return;
        }
        t.deadline = state.now + state.snapshotTimeoutNanos;
        switch (resp.status()) {
            case INSTALLED, SKIPPED_STALE -> {
                if (resp.status() == Status.INSTALLED) {
                    state.count(EngineCounter.SNAPSHOT_TRANSFERS_COMPLETED);
                }
                pr.becomeReplicate(t.meta.lastLogId().index()); // normal replication after the snapshot
                replication.maybeCommit();
                replication.sendAppends(pr);
                return;
            }
            case ACCEPTED -> {
                t.inflight = Math.max(0, t.inflight - 1);
                t.acked = Math.max(t.acked, resp.nextOffset());
                if (!t.doneSent) {
                    // the follower holds more than was sent (a resumed stream): skip what it has
                    t.next = Math.max(t.next, Math.min(resp.nextOffset(), t.resumeOffset()));
                }
            }
            case WRITE_FAILED -> {
                t.inflight = Math.max(0, t.inflight - 1);
                if (resp.chunkOffset() < t.next) {
                    state.count(EngineCounter.SNAPSHOT_TRANSFER_RESUMES);
                    t.restartFrom(resp.chunkOffset());
                }
            }
            case MISMATCH -> {
                state.count(EngineCounter.SNAPSHOT_TRANSFER_RESUMES);
                t.acked = Math.min(resp.nextOffset(), t.size);
                t.restartFrom(t.acked);
            }
            default -> state.count(EngineCounter.STALE_MESSAGES);
        }
        sendChunks(pr);
    }
}
