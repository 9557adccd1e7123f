package dev.raft.api.error;

/**
 * The leader is handing its leadership to another node and accepts no proposal, membership change or other
 * transfer meanwhile (at most one election timeout). Retriable: once the transfer ends, retry at the new
 * leader ({@link #targetId()} if it won) or at this node (if the transfer failed and it resumed).
 */
public final class LeadershipTransferInProgressException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final int targetId;

    /**
     * @param nodeId   the leader that refused
     * @param targetId the node it transfers its leadership to
     * @param term     its term
     */
    public LeadershipTransferInProgressException(int nodeId, int targetId, long term) {
        super("node " + nodeId + " is transferring its leadership of term " + term + " to node " + targetId
            + "; retry shortly (at node " + targetId + " if it wins)");
        this.targetId = targetId;
    }

    /** The node the leadership is being transferred to: the likely next leader. */
    public int targetId() {
        return targetId;
    }
}
