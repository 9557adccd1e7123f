package dev.raft.api.message;

/** The answer to a {@link VoteRequest}. {@code term} is the voter's term (for a pre-vote: the request's term if granted). */
public final class VoteResponse extends RaftMessage {
    private boolean granted;
    private boolean preVote;

    @Override
    public MessageType type() {
        return MessageType.VOTE_RESPONSE;
    }

    /** Sets every field. */
    public VoteResponse set(int from, int to, long term, boolean granted, boolean preVote) {
        header(from, to, term);
        this.granted = granted;
        this.preVote = preVote;
        return this;
    }

    /** Whether the vote (or pre-vote) was granted. */
    public boolean isGranted() {
        return granted;
    }

    /** Whether this answers a pre-vote. */
    public boolean isPreVote() {
        return preVote;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final VoteResponse s = (VoteResponse) source;
        set(s.from(), s.to(), s.term(), s.granted, s.preVote);
    }

    @Override
    public VoteResponse copy() {
        final VoteResponse copy = new VoteResponse();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + (preVote ? " pre" : "") + (granted ? " granted" : " refused") + "}";
    }
}
