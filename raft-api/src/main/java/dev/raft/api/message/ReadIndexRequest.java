package dev.raft.api.message;

/**
 * A follower asks the leader for a read index (a follower read, dissertation §6.4): the leader confirms its
 * leadership as for its own reads and answers with its commit index at the time the request arrived. One
 * request serves every read the follower collected meanwhile; {@code requestId} (increasing per follower)
 * matches the answer.
 */
public final class ReadIndexRequest extends RaftMessage {
    private long requestId;
    private boolean lease;

    @Override
    public MessageType type() {
        return MessageType.READ_INDEX_REQUEST;
    }

    /**
     * Sets every field.
     *
     * @param requestId the follower's id of this request, echoed by the answer; not negative
     * @param lease     whether the leader may answer from its lease without a heartbeat round
     */
    public ReadIndexRequest set(int from, int to, long term, long requestId, boolean lease) {
        header(from, to, term);
        this.requestId = requestId;
        this.lease = lease;
        return this;
    }

    /** The follower's id of this request. */
    public long requestId() {
        return requestId;
    }

    /** Whether the leader may answer from its lease (LEASE reads) instead of a heartbeat round. */
    public boolean isLease() {
        return lease;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final ReadIndexRequest s = (ReadIndexRequest) source;
        set(s.from(), s.to(), s.term(), s.requestId, s.lease);
    }

    @Override
    public ReadIndexRequest copy() {
        final ReadIndexRequest copy = new ReadIndexRequest();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + " request=" + requestId + (lease ? " lease" : "") + "}";
    }
}
