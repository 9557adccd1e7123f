package dev.raft.api.error;

/**
 * A membership change (or a leadership transfer) was refused because another one is in progress on the
 * leader: only one configuration change is in flight at a time. Retriable once the change in progress
 * completes (watch {@code RaftMetrics.membership()} and {@code membershipIndex()}).
 */
public final class MembershipChangeInProgressException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final String inProgress;

    /**
     * @param nodeId     the leader that refused
     * @param inProgress the change in progress, described (for example the joint configuration and its index)
     * @param refused    what was refused
     */
    public MembershipChangeInProgressException(int nodeId, String inProgress, String refused) {
        super("node " + nodeId + ": " + refused + " refused: " + inProgress + " is in progress; retry once it completes");
        this.inProgress = inProgress;
    }

    /** The change in progress, described. */
    public String inProgress() {
        return inProgress;
    }
}
