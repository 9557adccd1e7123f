package dev.raft.core.internal.engine.snapshot;

import dev.raft.api.SnapshotMeta;

/**
 * A node's snapshot state, one at a time (the reference's {@code snapshot_state}): none, a local build in
 * progress, or a stream being received from the leader. A build is refused while a stream is received; a
 * stream that begins aborts a build.
 */
final class ReceiveState {
    enum State { NONE, BUILDING, STREAMING }

    State state = State.NONE;
    /** STREAMING: the snapshot being received. */
    SnapshotMeta meta;
    /** STREAMING: bytes held without a gap from offset 0 (where the stream continues). */
    long contiguous;
    /** STREAMING: the snapshot's size once its last chunk was written, else -1. */
    long doneSize = -1;

    void stream(SnapshotMeta streamMeta) {
        state = State.STREAMING;
        meta = streamMeta;
        contiguous = 0;
        doneSize = -1;
    }

    void clear() {
        state = State.NONE;
        meta = null;
        contiguous = 0;
        doneSize = -1;
    }

    boolean isStreaming() {
        return state == State.STREAMING;
    }

    @Override
    public String toString() {
        return state == State.STREAMING ? "Streaming{" + meta.snapshotId() + " contiguous=" + contiguous
            + (doneSize >= 0 ? " size=" + doneSize : "") + "}" : state.toString();
    }
}
