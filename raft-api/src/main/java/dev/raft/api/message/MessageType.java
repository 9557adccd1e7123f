package dev.raft.api.message;

/** The kinds of message. Codes are stable; transports may use them on the wire. */
public enum MessageType {
    /** {@link AppendEntriesRequest}. */
    APPEND_ENTRIES_REQUEST(1),
    /** {@link AppendEntriesResponse}. */
    APPEND_ENTRIES_RESPONSE(2),
    /** {@link VoteRequest}. */
    VOTE_REQUEST(3),
    /** {@link VoteResponse}. */
    VOTE_RESPONSE(4),
    /** {@link InstallSnapshotRequest}. */
    INSTALL_SNAPSHOT_REQUEST(5),
    /** {@link InstallSnapshotResponse}. */
    INSTALL_SNAPSHOT_RESPONSE(6),
    /** {@link TimeoutNowRequest}. */
    TIMEOUT_NOW_REQUEST(7),
    /** {@link TimeoutNowResponse}. */
    TIMEOUT_NOW_RESPONSE(8),
    /** {@link ReadIndexRequest}. */
    READ_INDEX_REQUEST(9),
    /** {@link ReadIndexResponse}. */
    READ_INDEX_RESPONSE(10);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The stable code. */
    public int code() {
        return code;
    }
}
