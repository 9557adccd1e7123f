package dev.raft.core.internal.engine.replication;

import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.quorum.Quorum;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * A leader's {@link Progress} of every peer, by slot ({@link RaftState#slotOf}), and the quorum questions
 * asked of them: the committed index of the match indexes (the leader counting only its durable log) and
 * whether a quorum was recently active (CheckQuorum).
 */
public final class ProgressTracker {
    private final RaftState state;
    private final Progress[] progress;
    private final long[] quorumScratch;
    private final IntPredicate recentlyActive = this::isRecentlyActive;
    private final IntToLongFunction matchOf = this::matchIndexOf;

    ProgressTracker(RaftState state) {
        this.state = state;
        this.progress = new Progress[state.peerIds.length];
        final long maxInflightBytes = (long) state.maxInflightAppends * state.maxBytesPerAppend;
        for (int i = 0; i < progress.length; i++) {
            final int id = state.peerIds[i];
            progress[i] = new Progress(id, state.membership.isVoter(id), state.maxInflightAppends, maxInflightBytes);
        }
        this.quorumScratch = new long[Math.max(1, state.membership.maxVoterSetSize())];
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
            pr.reset(lastIndex);
        }
    }

    /** The highest index a quorum holds (the leader counting its durable index). */
    long committedIndex() {
        return Quorum.committedIndex(state.membership, matchOf, quorumScratch);
    }

    /** Whether a quorum answered since the last round; starts the next round. */
    public boolean quorumActiveThenReset() {
        if (!Quorum.isQuorum(state.membership, recentlyActive)) {
            return false;
        }
        for (Progress pr : progress) {
            pr.recentActive = false;
        }
        return true;
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

    private boolean isRecentlyActive(int id) {
        return id == state.selfId || progress[state.slotOf(id)].recentActive;
    }

    private long matchIndexOf(int id) {
        return id == state.selfId ? state.durableIndex : progress[state.slotOf(id)].matchIndex;
    }
}
