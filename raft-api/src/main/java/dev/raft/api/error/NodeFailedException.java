package dev.raft.api.error;

/**
 * A call reached a node that stopped after a fatal error (fail-stop), or the node stopped while the call
 * was pending. {@link #getCause()} is the fatal error; the message names it.
 */
public final class NodeFailedException extends RaftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param nodeId the failed node
     * @param cause  the fatal error that stopped it
     */
    public NodeFailedException(int nodeId, Throwable cause) {
        super("node " + nodeId + " stopped after a fatal error: " + cause, cause);
    }
}
