package dev.raft.api.message;

/**
 * A candidate's request for a vote, or a pre-candidate's pre-vote (which asks whether the vote would
 * be granted in {@code term} without anyone changing term or vote). A request with
 * {@code leadershipTransfer} set comes from a node told to campaign by {@link TimeoutNowRequest}: it
 * may disrupt a known leader.
 */
public final class VoteRequest extends RaftMessage {
    private long lastLogIndex;
    private long lastLogTerm;
    private boolean preVote;
    private boolean leadershipTransfer;

    @Override
    public MessageType type() {
        return MessageType.VOTE_REQUEST;
    }

    /**
     * Sets every field.
     *
     * @param term the term of the election (for a pre-vote: the term the candidate would use)
     */
    public VoteRequest set(int from, int to, long term, long lastLogIndex, long lastLogTerm, boolean preVote,
                           boolean leadershipTransfer) {
        header(from, to, term);
        this.lastLogIndex = lastLogIndex;
        this.lastLogTerm = lastLogTerm;
        this.preVote = preVote;
        this.leadershipTransfer = leadershipTransfer;
        return this;
    }

    /** The index of the candidate's last entry. */
    public long lastLogIndex() {
        return lastLogIndex;
    }

    /** The term of the candidate's last entry. */
    public long lastLogTerm() {
        return lastLogTerm;
    }

    /** Whether this is a pre-vote. */
    public boolean isPreVote() {
        return preVote;
    }

    /** Whether the candidate campaigns because the leader transferred leadership to it. */
    public boolean isLeadershipTransfer() {
        return leadershipTransfer;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final VoteRequest s = (VoteRequest) source;
        set(s.from(), s.to(), s.term(), s.lastLogIndex, s.lastLogTerm, s.preVote, s.leadershipTransfer);
    }

    @Override
    public VoteRequest copy() {
        final VoteRequest copy = new VoteRequest();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + (preVote ? " pre" : "") + (leadershipTransfer ? " transfer" : "")
            + " last=" + lastLogTerm + "-" + lastLogIndex + "}";
    }
}
