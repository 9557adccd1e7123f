package dev.raft.core.internal.engine;

/**
 * A leader's view of one follower (etcd-raft's Progress): what it is known to hold ({@code matchIndex}),
 * what to send next ({@code nextIndex}) and how.
 *
 * <ul>
 *   <li>{@link State#PROBE}: the leader does not know where the follower's log matches; it sends one
 *       AppendEntries at a time and waits for the answer (or the next heartbeat) before sending again.</li>
 *   <li>{@link State#REPLICATE}: the logs match up to {@code matchIndex}; the leader streams entries
 *       optimistically, advancing {@code nextIndex} as it sends, bounded by the in-flight window.</li>
 * </ul>
 */
final class Progress {
    enum State { PROBE, REPLICATE }

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
    }

    void becomeProbe(long next) {
        state = State.PROBE;
        nextIndex = Math.max(matchIndex + 1, next);
        probeSent = false;
        inflights.clear();
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        inflights.clear();
    }

    /** Whether the leader may send another AppendEntries now. */
    boolean canSend() {
        return state == State.PROBE ? !probeSent : !inflights.isFull();
    }

    @Override
    public String toString() {
        return "Progress{" + nodeId + " " + state + " match=" + matchIndex + " next=" + nextIndex
            + " inflight=" + inflights.count() + (probeSent ? " probeSent" : "") + "}";
    }
}
