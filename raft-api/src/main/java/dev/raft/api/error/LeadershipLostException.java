package dev.raft.api.error;

/**
 * The leader lost its leadership while a proposal was in flight. The proposal's entry may still be
 * committed by a later leader: the outcome is unknown, and a client that retries must make its
 * command idempotent. For a read ({@link dev.raft.api.RaftNode#read}), it means the leadership could not be
 * confirmed before the leader stepped down; a read changes nothing, so it may simply be retried.
 */
public final class LeadershipLostException extends RaftException {
    private static final long serialVersionUID = 1L;

    /**
     * @param nodeId the former leader
     * @param term   the term it led
     * @param index  the log index of the proposal's entry
     */
    public LeadershipLostException(int nodeId, long term, long index) {
        super("node " + nodeId + " lost leadership of term " + term + " before entry " + index
            + " was known committed; its outcome is unknown");
    }

    /**
     * A read that was not served.
     *
     * @param nodeId the former leader
     * @param term   the term it led
     */
    public LeadershipLostException(int nodeId, long term) {
        super("node " + nodeId + " lost leadership of term " + term + " before a read was served; retry it");
    }
}
