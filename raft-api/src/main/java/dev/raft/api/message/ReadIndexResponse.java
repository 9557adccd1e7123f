package dev.raft.api.message;

/**
 * The leader's answer to a {@link ReadIndexRequest}: on {@link Status#OK}, the read index (the leader's
 * commit index when the request arrived, confirmed by a quorum since); otherwise why it is not served.
 */
public final class ReadIndexResponse extends RaftMessage {
    /** The outcome. Codes are the declaration order (stable; transports use them on the wire). */
    public enum Status {
        /** Served: {@link #readIndex()} is valid. */
        OK,
        /** The node asked is not the leader (its term tells the asker whether it is behind). */
        NOT_LEADER,
        /** The leader has not committed an entry of its term yet, or lost leadership before confirming. */
        NOT_READY
    }

    private long requestId;
    private long readIndex;
    private Status status = Status.NOT_LEADER;

    @Override
    public MessageType type() {
        return MessageType.READ_INDEX_RESPONSE;
    }

    /**
     * Sets every field.
     *
     * @param requestId the id of the request answered
     * @param readIndex the read index on {@link Status#OK}, else 0
     */
    public ReadIndexResponse set(int from, int to, long term, long requestId, long readIndex, Status status) {
        header(from, to, term);
        this.requestId = requestId;
        this.readIndex = readIndex;
        this.status = status;
        return this;
    }

    /** The id of the request answered. */
    public long requestId() {
        return requestId;
    }

    /** On {@link Status#OK}: the index the follower must have applied before it serves the reads. */
    public long readIndex() {
        return readIndex;
    }

    /** The outcome. */
    public Status status() {
        return status;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final ReadIndexResponse s = (ReadIndexResponse) source;
        set(s.from(), s.to(), s.term(), s.requestId, s.readIndex, s.status);
    }

    @Override
    public ReadIndexResponse copy() {
        final ReadIndexResponse copy = new ReadIndexResponse();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + " request=" + requestId + " " + status + (status == Status.OK ? " index=" + readIndex : "")
            + "}";
    }
}
