package dev.raft.api.error;

/**
 * A leadership transfer failed: the target did not win an election within an election timeout (the old
 * leader then resumes and accepts proposals again), the leader lost its leadership to another node meanwhile,
 * or the target cannot lead (not a voter of the membership in force). {@link #isRetriable()} says which.
 */
public final class LeadershipTransferException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final int targetId;
    private final boolean retriable;

    /**
     * @param nodeId    the leader that transferred
     * @param targetId  the target
     * @param reason    what happened
     * @param retriable whether trying again may succeed
     */
    public LeadershipTransferException(int nodeId, int targetId, String reason, boolean retriable) {
        super("node " + nodeId + ": leadership transfer to node " + targetId + " failed: " + reason);
        this.targetId = targetId;
        this.retriable = retriable;
    }

    /** The target of the transfer. */
    public int targetId() {
        return targetId;
    }

    /** Whether trying again may succeed (false: the target cannot lead). */
    public boolean isRetriable() {
        return retriable;
    }
}
