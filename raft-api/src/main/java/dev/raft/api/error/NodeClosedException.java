package dev.raft.api.error;

/** A call reached a node that is closed, or the node closed while the call was pending. */
public final class NodeClosedException extends RaftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param nodeId    the closed node
     * @param operation what was asked of it (e.g. {@code "propose"})
     */
    public NodeClosedException(int nodeId, String operation) {
        super("node " + nodeId + " is closed: " + operation + " cannot proceed");
    }
}
