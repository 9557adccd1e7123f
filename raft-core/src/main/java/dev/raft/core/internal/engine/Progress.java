package dev.raft.core.internal.engine;

import dev.raft.api.SnapshotMeta;

/**
 * A leader's view of one follower (etcd-raft's Progress): what it is known to hold ({@code matchIndex}),
 * what to send next ({@code nextIndex}) and how.
 *
 * <ul>
 *   <li>{@link State#PROBE}: the leader does not know where the follower's log matches; it sends one
 *       AppendEntries at a time and waits for the answer (or the next heartbeat) before sending again.</li>
 *   <li>{@link State#REPLICATE}: the logs match up to {@code matchIndex}; the leader streams entries
 *       optimistically, advancing {@code nextIndex} as it sends, bounded by the in-flight window.</li>
 *   <li>{@link State#SNAPSHOT}: the follower needs purged entries; the leader streams its current
 *       snapshot in chunks, a bounded window of them in flight, and sends no AppendEntries until the
 *       follower reports the snapshot installed (or already covered).</li>
 * </ul>
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    final int nodeId;
    final boolean voter;
    final Inflights inflights;
    State state = State.PROBE;
    long matchIndex;
    long nextIndex;
    boolean probeSent;
    boolean recentActive;
    /** The commit index carried by the last AppendEntries sent. */
    long sentCommit;

    /** SNAPSHOT: the snapshot being sent and its size. */
    SnapshotMeta snapMeta;
    long snapSize;
    /** SNAPSHOT: the offset of the next chunk to send. */
    long snapNext;
    /** SNAPSHOT: the follower's last reported contiguous bytes (where a resumed transfer starts). */
    long snapAcked;
    /** SNAPSHOT: chunks sent and not answered. */
    int snapInflight;
    /** SNAPSHOT: whether the last chunk was sent since the transfer (re)started. */
    boolean snapDoneSent;
    /** SNAPSHOT: when the transfer resumes from {@code snapAcked} if no answer came. */
    long snapDeadline;

    Progress(int nodeId, boolean voter, int maxInflight) {
        this.nodeId = nodeId;
        this.voter = voter;
        this.inflights = new Inflights(maxInflight);
    }

    void reset(long lastIndex) {
        state = State.PROBE;
        matchIndex = 0;
        nextIndex = lastIndex + 1;
        probeSent = false;
        recentActive = false;
        sentCommit = 0;
        inflights.clear();
        snapMeta = null;
    }

    void becomeSnapshot(SnapshotMeta meta, long size) {
        state = State.SNAPSHOT;
        probeSent = false;
        inflights.clear();
        snapMeta = meta;
        snapSize = size;
        snapAcked = 0;
        restartSnapshotFrom(0);
    }

    /** Sends again from {@code offset}; the chunks in flight are forgotten. */
    void restartSnapshotFrom(long offset) {
        snapNext = offset;
        snapInflight = 0;
        snapDoneSent = false;
    }

    void becomeProbe(long next) {
        state = State.PROBE;
        nextIndex = Math.max(matchIndex + 1, next);
        probeSent = false;
        inflights.clear();
        snapMeta = null;
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        inflights.clear();
        snapMeta = null;
    }

    /** Whether the leader may send another AppendEntries now. */
    boolean canSend() {
        return state == State.PROBE ? !probeSent : state == State.REPLICATE && !inflights.isFull();
    }

    @Override
    public String toString() {
        return "Progress{" + nodeId + " " + state + " match=" + matchIndex + " next=" + nextIndex
            + " inflight=" + inflights.count() + (probeSent ? " probeSent" : "")
            + (state == State.SNAPSHOT ? " snapshot=" + snapMeta.snapshotId() + " next=" + snapNext + " acked=" + snapAcked
                + " inflight=" + snapInflight : "") + "}";
    }
}
