package dev.raft.api.message;

import dev.raft.api.NodeId;

/**
 * The common header of every Raft message: sender, target and the sender's term. Mutable and
 * reusable; see the package documentation for ownership.
 */
public abstract sealed class RaftMessage
    permits AppendEntriesRequest, AppendEntriesResponse, VoteRequest, VoteResponse,
    InstallSnapshotRequest, InstallSnapshotResponse, TimeoutNowRequest, TimeoutNowResponse,
    ReadIndexRequest, ReadIndexResponse {

    private int from;
    private int to;
    private long term;

    RaftMessage() {
    }

    /** The kind of message. */
    public abstract MessageType type();

    /** The sending node. */
    public int from() {
        return from;
    }

    /** The target node. */
    public int to() {
        return to;
    }

    /** The sender's current term. */
    public long term() {
        return term;
    }

    /** Sets the header. Returns this message for chaining in subclasses' setters. */
    final void header(int from, int to, long term) {
        this.from = from;
        this.to = to;
        this.term = term;
    }

    /** Sets the sender. */
    public RaftMessage from(int from) {
        this.from = from;
        return this;
    }

    /** Sets the target. */
    public RaftMessage to(int to) {
        this.to = to;
        return this;
    }

    /** Sets the term. */
    public RaftMessage term(long term) {
        this.term = term;
        return this;
    }

    /**
     * Checks the header: sender and target are valid node ids and differ, the term is not negative.
     *
     * @throws IllegalArgumentException naming the message type and the bad field
     */
    public void validateHeader() {
        if (!NodeId.isValid(from) || !NodeId.isValid(to) || from == to || term < 0) {
            throw new IllegalArgumentException(type() + ": bad header from=" + from + " to=" + to + " term=" + term);
        }
    }

    /** Copies every field of {@code source}, which must be of the same type, into this message. */
    public abstract void copyFrom(RaftMessage source);

    /** A detached copy. Allocates. */
    public abstract RaftMessage copy();

    /** Copies the header of {@code source}. */
    final void copyHeader(RaftMessage source) {
        header(source.from, source.to, source.term);
    }

    /** The header for {@code toString}. */
    final String headerString() {
        return type() + "{" + from + "->" + to + " t" + term;
    }

    /** A new, empty message of the given type. */
    public static RaftMessage newInstance(MessageType type) {
        return switch (type) {
            case APPEND_ENTRIES_REQUEST -> new AppendEntriesRequest();
            case APPEND_ENTRIES_RESPONSE -> new AppendEntriesResponse();
            case VOTE_REQUEST -> new VoteRequest();
            case VOTE_RESPONSE -> new VoteResponse();
            case INSTALL_SNAPSHOT_REQUEST -> new InstallSnapshotRequest();
            case INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse();
            case TIMEOUT_NOW_REQUEST -> new TimeoutNowRequest();
            case TIMEOUT_NOW_RESPONSE -> new TimeoutNowResponse();
            case READ_INDEX_REQUEST -> new ReadIndexRequest();
            case READ_INDEX_RESPONSE -> new ReadIndexResponse();
        };
    }
}
