package dev.raft.api.message;

/** The answer to a {@link TimeoutNowRequest}: whether the follower started an election. */
public final class TimeoutNowResponse extends RaftMessage {
    private boolean accepted;

    @Override
    public MessageType type() {
        return MessageType.TIMEOUT_NOW_RESPONSE;
    }

    /** Sets every field. */
    public TimeoutNowResponse set(int from, int to, long term, boolean accepted) {
        header(from, to, term);
        this.accepted = accepted;
        return this;
    }

    /** Whether the follower started an election. */
    public boolean isAccepted() {
        return accepted;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final TimeoutNowResponse s = (TimeoutNowResponse) source;
        set(s.from(), s.to(), s.term(), s.accepted);
    }

    @Override
    public TimeoutNowResponse copy() {
        final TimeoutNowResponse copy = new TimeoutNowResponse();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + (accepted ? " accepted" : " refused") + "}";
    }
}
