package dev.raft.api.error;

import dev.raft.api.NodeId;

/** The node asked is not the leader. Carries the leader it knows of, if any, so clients can redirect. */
public final class NotLeaderException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final int nodeId;
    private final int leaderHint;
    private final long term;

    /**
     * @param nodeId     the node that refused
     * @param leaderHint the leader it knows of, or {@link NodeId#NONE}
     * @param term       its current term
     */
    public NotLeaderException(int nodeId, int leaderHint, long term) {
        super("node " + nodeId + " is not the leader in term " + term
            + (leaderHint == NodeId.NONE ? " and knows no leader" : "; the leader is node " + leaderHint));
        this.nodeId = nodeId;
        this.leaderHint = leaderHint;
        this.term = term;
    }

    /** The node that refused. */
    public int nodeId() {
        return nodeId;
    }

    /** The leader the refusing node knows of, or {@link NodeId#NONE}. */
    public int leaderHint() {
        return leaderHint;
    }

    /** The refusing node's term. */
    public long term() {
        return term;
    }
}
