package dev.raft.api.message;

/**
 * A follower's answer to one {@link InstallSnapshotRequest} chunk. It names the snapshot and the
 * chunk it answers, the outcome, and {@code nextOffset}: the offset from which the follower holds no
 * contiguous data yet (where a resumed transfer should continue), or, on a mismatch, the offset it
 * expects.
 */
public final class InstallSnapshotResponse extends RaftMessage {
    /** Outcome of a chunk. */
    public enum Status {
        /** The chunk was written. */
        ACCEPTED,
        /** The last chunk was written, the snapshot finished durably and installed. */
        INSTALLED,
        /** The snapshot is not newer than what the follower has applied: acknowledged and discarded. */
        SKIPPED_STALE,
        /** The chunk does not fit the follower's stream; see {@code nextOffset} and restart or resume. */
        MISMATCH,
        /** Writing the chunk failed; the stream is kept, the chunk may be sent again. */
        WRITE_FAILED,
        /** The request's term was stale; nothing changed. */
        STALE_TERM
    }

    private String snapshotId = "";
    private long chunkOffset;
    private long nextOffset;
    private Status status = Status.ACCEPTED;

    @Override
    public MessageType type() {
        return MessageType.INSTALL_SNAPSHOT_RESPONSE;
    }

    /** Sets every field. */
    public InstallSnapshotResponse set(int from, int to, long term, String snapshotId, long chunkOffset,
                                       Status status, long nextOffset) {
        header(from, to, term);
        this.snapshotId = snapshotId;
        this.chunkOffset = chunkOffset;
        this.status = status;
        this.nextOffset = nextOffset;
        return this;
    }

    /** The snapshot the answered chunk belongs to. */
    public String snapshotId() {
        return snapshotId;
    }

    /** The offset of the answered chunk. */
    public long chunkOffset() {
        return chunkOffset;
    }

    /** The outcome. */
    public Status status() {
        return status;
    }

    /** Where a resumed transfer should continue (on a mismatch: the offset the follower expects). */
    public long nextOffset() {
        return nextOffset;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final InstallSnapshotResponse s = (InstallSnapshotResponse) source;
        set(s.from(), s.to(), s.term(), s.snapshotId, s.chunkOffset, s.status, s.nextOffset);
    }

    @Override
    public InstallSnapshotResponse copy() {
        final InstallSnapshotResponse copy = new InstallSnapshotResponse();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + " snapshot=" + snapshotId + " @" + chunkOffset + " " + status + " next=" + nextOffset + "}";
    }
}
