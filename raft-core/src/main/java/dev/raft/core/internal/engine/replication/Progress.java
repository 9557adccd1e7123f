package dev.raft.core.internal.engine.replication;

import dev.raft.core.internal.engine.snapshot.SnapshotTransfer;

/**
 * A leader's view of one follower (after etcd-raft's {@code tracker/progress.go}): what it is known to hold
 * ({@code matchIndex}), what to send next ({@code nextIndex}) and how. The rules that move them live in
 * {@link #maybeUpdate} and {@link #maybeDecrTo}.
 *
 * <ul>
 *   <li>{@link State#PROBE}: the leader does not know where the follower's log matches; it sends one
 *       AppendEntries at a time and waits for the answer (or the next heartbeat) before sending again.</li>
 *   <li>{@link State#REPLICATE}: the logs match up to {@code matchIndex}; the leader streams entries
 *       optimistically, advancing {@code nextIndex} as it sends, bounded by the in-flight window (messages
 *       and bytes).</li>
 *   <li>{@link State#SNAPSHOT}: the follower needs purged entries; the leader streams its current
 *       snapshot ({@link #transfer}) and sends no AppendEntries until the follower reports the snapshot
 *       installed (or already covered).</li>
 * </ul>
 */
public final class Progress {
    /** How the leader sends to the follower. */
    public enum State { PROBE, REPLICATE, SNAPSHOT }

    final int nodeId;
    final Inflights inflights;
    State state = State.PROBE;
    long matchIndex;
    long nextIndex;
    boolean probeSent;
    /** When the follower last answered anything (the leader's clock); CheckQuorum judges by it. */
    long lastActive;
    /** The commit index carried by the last AppendEntries sent. */
    long sentCommit;
    /** SNAPSHOT: the transfer in progress (its own object, reused). */
    private final SnapshotTransfer transfer = new SnapshotTransfer();

    Progress(int nodeId, int maxInflight, long maxInflightBytes) {
        this.nodeId = nodeId;
        this.inflights = new Inflights(maxInflight, maxInflightBytes);
    }

    /** The follower's id. */
    public int nodeId() {
        return nodeId;
    }

    /** The sending state. */
    public State state() {
        return state;
    }

    /** The highest index known to match the leader's log. */
    public long matchIndex() {
        return matchIndex;
    }

    /** When the follower last answered anything (the leader's clock), or when tracking began if it never did. */
    public long lastActive() {
        return lastActive;
    }

    /** SNAPSHOT: the transfer in progress. */
    public SnapshotTransfer transfer() {
        return transfer;
    }

    /** The follower answered something at {@code now}. */
    public void markActive(long now) {
        lastActive = now;
    }

    /** Forgets everything known of the follower; it counts as heard from at {@code now}, when tracking began. */
    void reset(long lastIndex, long now) {
        state = State.PROBE;
        matchIndex = 0;
        nextIndex = lastIndex + 1;
        probeSent = false;
        lastActive = now;
        sentCommit = 0;
        inflights.clear();
        transfer.clear();
    }

    /**
     * A success acknowledging {@code match}: raises the match index, frees the window up to it and moves a
     * probe to replicate.
     *
     * @return whether the match index advanced (a commit may follow)
     */
    boolean maybeUpdate(long match) {
        if (match <= matchIndex) {
            if (state == State.PROBE) {
                probeSent = false; // a probe answered: the next one may go
            }
            return false;
        }
        matchIndex = match;
        inflights.freeUpTo(match);
        if (state == State.PROBE) {
            becomeReplicate();
        } else {
            nextIndex = Math.max(nextIndex, match + 1);
        }
        return true;
    }

    /**
     * A rejection of the AppendEntries whose previous index was {@code rejected}, with {@code hint} the next
     * index the follower's conflict hints suggest: a stale rejection (replicating: at or below the match;
     * probing: not of the last probe) is ignored, otherwise the follower is probed from the hint.
     *
     * @return false when the rejection is stale
     */
    boolean maybeDecrTo(long rejected, long hint) {
        if (state == State.REPLICATE ? rejected <= matchIndex : rejected != nextIndex - 1) {
            return false;
        }
        becomeProbe(Math.max(1, Math.min(hint, rejected)));
        return true;
    }

    /**
     * The follower reported holding only up to {@code lastLogIndex}, below its match (it lost its log): the
     * match is forgotten and the follower probed from the end of what it holds.
     */
    void resetAfterLostLog(long lastLogIndex) {
        matchIndex = 0;
        becomeProbe(lastLogIndex + 1);
    }

    /** Starts streaming a snapshot to the follower ({@link #transfer} must then be begun). */
    public void becomeSnapshot() {
        state = State.SNAPSHOT;
        probeSent = false;
        inflights.clear();
    }

    void becomeProbe(long next) {
        state = State.PROBE;
        nextIndex = Math.max(matchIndex + 1, next);
        probeSent = false;
        inflights.clear();
        transfer.clear();
    }

    /** Normal replication from the match index + 1 (also after a snapshot covered {@code snapshotIndex}). */
    public void becomeReplicate(long snapshotIndex) {
        matchIndex = Math.max(matchIndex, snapshotIndex);
        becomeReplicate();
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        nextIndex = matchIndex + 1;
        probeSent = false;
        inflights.clear();
        transfer.clear();
    }

    /** Whether the leader may send another AppendEntries now. */
    boolean canSend() {
        return state == State.PROBE ? !probeSent : state == State.REPLICATE && !inflights.isFull();
    }

    @Override
    public String toString() {
        return "Progress{" + nodeId + " " + state + " match=" + matchIndex + " next=" + nextIndex
            + " inflight=" + inflights.count() + (probeSent ? " probeSent" : "")
            + (state == State.SNAPSHOT ? " " + transfer : "") + "}";
    }
}
