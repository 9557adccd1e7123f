package dev.raft.api.message;

/** A leader tells a caught-up follower to start an election at once (leadership transfer, Raft dissertation §3.10). */
public final class TimeoutNowRequest extends RaftMessage {
    @Override
    public MessageType type() {
        return MessageType.TIMEOUT_NOW_REQUEST;
    }

    /** Sets every field. */
    public TimeoutNowRequest set(int from, int to, long term) {
        header(from, to, term);
        return this;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        copyHeader(source);
    }

    @Override
    public TimeoutNowRequest copy() {
        final TimeoutNowRequest copy = new TimeoutNowRequest();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + "}";
    }
}
