package dev.raft.api.message;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * One chunk of a snapshot sent by a leader: {@code data} belongs at byte {@code chunkOffset} of the
 * snapshot {@code meta}; {@code done} marks the last chunk. The data is copied into a buffer owned by
 * this message and reused with it.
 */
public final class InstallSnapshotRequest extends RaftMessage {
    private final ExpandableDirectByteBuffer data = new ExpandableDirectByteBuffer(1024);
    private SnapshotMeta meta;
    private long chunkOffset;
    private int dataLength;
    private boolean done;

    @Override
    public MessageType type() {
        return MessageType.INSTALL_SNAPSHOT_REQUEST;
    }

    /**
     * Sets every field and copies {@code length} bytes of {@code src} from {@code srcOffset} as the data.
     *
     * @param from        the leader
     * @param to          the follower
     * @param term        the leader's term
     * @param meta        the snapshot's meta
     * @param chunkOffset where the data belongs in the snapshot, {@code >= 0}
     * @param done        whether this is the last chunk
     */
    public InstallSnapshotRequest set(int from, int to, long term, SnapshotMeta meta, long chunkOffset,
                                      DirectBuffer src, int srcOffset, int length, boolean done) {
        header(from, to, term);
        this.meta = meta;
        this.chunkOffset = chunkOffset;
        this.done = done;
        this.dataLength = length;
        if (length > 0) {
            data.putBytes(0, src, srcOffset, length);
        }
        return this;
    }

    /**
     * Sets every field but the data, for a filler that writes into {@link #dataBuffer()} itself and then
     * calls {@link #dataLength(int)}.
     */
    public InstallSnapshotRequest setHeader(int from, int to, long term, SnapshotMeta meta, long chunkOffset, boolean done) {
        header(from, to, term);
        this.meta = meta;
        this.chunkOffset = chunkOffset;
        this.done = done;
        this.dataLength = 0;
        return this;
    }

    /** The snapshot's meta. */
    public SnapshotMeta meta() {
        return meta;
    }

    /** The snapshot's id. */
    public String snapshotId() {
        return meta.snapshotId();
    }

    /** The last log id the snapshot covers. */
    public LogId lastLogId() {
        return meta.lastLogId();
    }

    /** The membership as of the snapshot. */
    public Membership membership() {
        return meta.membership();
    }

    /** Where the data belongs in the snapshot. */
    public long chunkOffset() {
        return chunkOffset;
    }

    /** Whether this is the last chunk. */
    public boolean isDone() {
        return done;
    }

    /** The data: bytes {@code [0, dataLength())} of this buffer. */
    public MutableDirectBuffer dataBuffer() {
        return data;
    }

    /** The number of data bytes. */
    public int dataLength() {
        return dataLength;
    }

    /** Sets the number of data bytes already written into {@link #dataBuffer()}. */
    public InstallSnapshotRequest dataLength(int length) {
        if (length < 0 || length > data.capacity()) {
            throw new IllegalArgumentException("InstallSnapshotRequest.dataLength: " + length + " not in [0, "
                + data.capacity() + "]");
        }
        this.dataLength = length;
        return this;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final InstallSnapshotRequest s = (InstallSnapshotRequest) source;
        set(s.from(), s.to(), s.term(), s.meta, s.chunkOffset, s.data, 0, s.dataLength, s.done);
    }

    @Override
    public InstallSnapshotRequest copy() {
        final InstallSnapshotRequest copy = new InstallSnapshotRequest();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + " snapshot=" + (meta == null ? "?" : meta.snapshotId()) + " @" + chunkOffset
            + " " + dataLength + "B" + (done ? " done" : "") + "}";
    }
}
