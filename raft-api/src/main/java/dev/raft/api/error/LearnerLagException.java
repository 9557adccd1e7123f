package dev.raft.api.error;

/**
 * A learner was not promoted to voter because its log lags the leader's by more than
 * {@code RaftConfig.maxPromotionLag()} entries: promoting it now could stall commits until it caught up.
 * Retriable once the learner has caught up (the leader keeps replicating to it).
 */
public final class LearnerLagException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final int learnerId;
    private final long lag;

    /**
     * @param nodeId      the leader that refused
     * @param learnerId   the learner
     * @param matchIndex  the learner's match index as the leader knows it
     * @param leaderIndex the leader's last log index
     * @param maxLag      the configured bound
     */
    public LearnerLagException(int nodeId, int learnerId, long matchIndex, long leaderIndex, long maxLag) {
        super("node " + nodeId + ": learner " + learnerId + " lags by " + (leaderIndex - matchIndex)
            + " entries (match " + matchIndex + ", leader's last " + leaderIndex + "), more than maxPromotionLag = "
            + maxLag + "; retry once it has caught up");
        this.learnerId = learnerId;
        this.lag = leaderIndex - matchIndex;
    }

    /** The learner that lags. */
    public int learnerId() {
        return learnerId;
    }

    /** How many entries it lags by. */
    public long lag() {
        return lag;
    }
}
