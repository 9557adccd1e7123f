package dev.raft.core.internal.engine.snapshot;

import dev.raft.api.SnapshotMeta;

/**
 * A leader's transfer of its snapshot to one follower: which snapshot, the next chunk's offset, what the
 * follower reported holding, the chunks in flight and when the transfer resumes without an answer.
 */
public final class SnapshotTransfer {
    /** The snapshot being sent and its size; null when no transfer is in progress. */
    SnapshotMeta meta;
    long size;
    /** The offset of the next chunk to send. */
    long next;
    /** The follower's last reported contiguous bytes (where a resumed transfer starts). */
    long acked;
    /** Chunks sent and not answered. */
    int inflight;
    /** Whether the last chunk was sent since the transfer (re)started. */
    boolean doneSent;
    /** When the transfer resumes from {@link #acked} if no answer came. */
    long deadline;

    /** Begins sending {@code snapshot} of {@code snapshotSize} bytes from offset 0. */
    void begin(SnapshotMeta snapshot, long snapshotSize) {
        meta = snapshot;
        size = snapshotSize;
        acked = 0;
        restartFrom(0);
    }

    /** Sends again from {@code offset}; the chunks in flight are forgotten. */
    void restartFrom(long offset) {
        next = offset;
        inflight = 0;
        doneSent = false;
    }

    /** Where a resumed transfer starts: the follower's contiguous bytes (the last byte again if it has all). */
    long resumeOffset() {
        return acked < size ? acked : Math.max(0, size - 1);
    }

    /** Forgets the transfer. */
    public void clear() {
        meta = null;
    }

    /** Whether snapshot {@code snapshotId} is being sent. */
    public boolean sends(String snapshotId) {
        return meta != null && meta.snapshotId().equals(snapshotId);
    }

    @Override
    public String toString() {
        return meta == null ? "no transfer" : "snapshot=" + meta.snapshotId() + " next=" + next + " acked=" + acked
            + " inflight=" + inflight;
    }
}
