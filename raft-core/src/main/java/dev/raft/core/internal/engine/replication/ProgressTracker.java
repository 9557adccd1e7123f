package dev.raft.core.internal.engine.replication;

import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.quorum.Quorum;
import java.util.function.IntToLongFunction;

/**
 * A leader's {@link Progress} of every peer, by slot ({@link RaftState#slotOf}), and the quorum questions
 * asked of them: the committed index of the match indexes (the leader counting only its durable log) and
 * since when a quorum has not been heard from (CheckQuorum). When the membership changes the slots follow it: a
 * member that stays keeps its progress, a new one is probed from the end of the log, a removed one is forgotten.
 */
public final class ProgressTracker {
    private final RaftState state;
    private final long maxInflightBytes;
    private Progress[] progress;
    private long[] quorumScratch;
    private final IntToLongFunction lastActiveOf = this::lastActiveOf;
    private final IntToLongFunction matchOf = this::matchIndexOf;

    ProgressTracker(RaftState state) {
        this.state = state;
        this.maxInflightBytes = (long) state.maxInflightAppends * state.maxBytesPerAppend;
        this.progress = new Progress[0];
        reslot();
        state.onMembershipChange(this::reslot);
    }

    /** The membership changed: one progress per peer of the new membership, kept for those that stay. */
    private void reslot() {
        final int[] ids = state.peerIds;
        final Progress[] next = new Progress[ids.length];
        for (int i = 0; i < ids.length; i++) {
            for (Progress pr : progress) {
                if (pr.nodeId == ids[i]) {
                    next[i] = pr;
                }
            }
            if (next[i] == null) {
                next[i] = new Progress(ids[i], state.maxInflightAppends, maxInflightBytes);
                next[i].reset(state.log.lastIndex(), state.now);
            }
        }
        progress = next;
        quorumScratch = new long[Math.max(1, state.membership.maxVoterSetSize())];
    }

    /** Whether {@code nodeId} is a peer with a progress here. */
    public boolean tracks(int nodeId) {
        return state.slotOf(nodeId) >= 0;
    }

    /** The progress of peer {@code nodeId}. */
    public Progress of(int nodeId) {
        return progress[state.slotOf(nodeId)];
    }

    /** The number of peers. */
    public int size() {
        return progress.length;
    }

    /** The progress in slot {@code slot}. */
    public Progress at(int slot) {
        return progress[slot];
    }

    void resetAll(long lastIndex) {
        for (Progress pr : progress) {
            pr.reset(lastIndex, state.now);
        }
    }

    /** The highest index a quorum holds (the leader counting its durable index). */
    long committedIndex() {
        return Quorum.committedIndex(state.membership, matchOf, quorumScratch);
    }

    /**
     * The latest time by which a quorum of every voter set had been heard from: each of a quorum answered at or
     * after it (the leader counts as heard from now). A peer counts from when tracking began until it answers.
     */
    public long quorumContact() {
        return Quorum.committedIndex(state.membership, lastActiveOf, quorumScratch);
    }

    /** Whether snapshot {@code snapshotId} is being sent to any follower. */
    public boolean sendsSnapshot(String snapshotId) {
        for (Progress pr : progress) {
            if (pr.state == Progress.State.SNAPSHOT && pr.transfer().sends(snapshotId)) {
                return true;
            }
        }
        return false;
    }

    private long lastActiveOf(int id) {
        return id == state.selfId ? state.now : progress[state.slotOf(id)].lastActive;
    }

    private long matchIndexOf(int id) {
        return id == state.selfId ? state.durableIndex : progress[state.slotOf(id)].matchIndex;
    }
}
