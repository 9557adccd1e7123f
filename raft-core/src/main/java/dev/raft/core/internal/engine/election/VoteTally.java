package dev.raft.core.internal.engine.election;

import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.quorum.Quorum;
import dev.raft.core.internal.engine.quorum.VoteResult;
import java.util.Arrays;
import java.util.function.IntPredicate;

/** The votes of one (pre-)election, by peer slot; this node votes for itself. Allocation-free. */
final class VoteTally {
    private static final byte GRANTED = 1;
    private static final byte REJECTED = 2;

    private final RaftState state;
    private byte[] votes;
    private final IntPredicate granted = this::isGranted;
    private final IntPredicate rejected = this::isRejected;

    VoteTally(RaftState state) {
        this.state = state;
        this.votes = new byte[state.peerIds.length];
        state.onMembershipChange(() -> votes = new byte[state.peerIds.length]); // a new election counts anew
    }

    void reset() {
        Arrays.fill(votes, (byte) 0);
    }

    void record(int nodeId, boolean grant) {
        votes[state.slotOf(nodeId)] = grant ? GRANTED : REJECTED;
    }

    VoteResult result() {
        return Quorum.voteResult(state.membership, granted, rejected);
    }

    private boolean isGranted(int id) {
        return id == state.selfId || votes[state.slotOf(id)] == GRANTED;
    }

    private boolean isRejected(int id) {
        return id != state.selfId && votes[state.slotOf(id)] == REJECTED;
    }
}
