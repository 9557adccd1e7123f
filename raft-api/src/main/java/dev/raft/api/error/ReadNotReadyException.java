package dev.raft.api.error;

/**
 * A read cannot be served yet, but may be served if retried shortly: the leader has not committed an entry
 * of its own term yet (so its commit index may lag the cluster's, dissertation §6.4), or a follower's request
 * for a read index got no answer from the leader in time. Retry, on this node or on the leader.
 */
public final class ReadNotReadyException extends RaftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param nodeId the node that cannot serve the read yet
     * @param reason why, in a few words
     */
    public ReadNotReadyException(int nodeId, String reason) {
        super("node " + nodeId + " cannot serve the read yet: " + reason + "; retry");
    }
}
