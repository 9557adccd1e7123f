package dev.raft.api.error;

/**
 * A compare-and-set membership change named a configuration index that is not the index of the membership in
 * force: someone else changed the membership since the caller read it. Not retriable as is: read the
 * membership and its index again ({@code RaftMetrics.membership()}, {@code membershipIndex()}), decide again.
 */
public final class ConfigIndexMismatchException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final long expected;
    private final long actual;

    /**
     * @param nodeId   the leader that refused
     * @param expected the configuration index the caller expected
     * @param actual   the index of the membership in force
     */
    public ConfigIndexMismatchException(int nodeId, long expected, long actual) {
        super("node " + nodeId + ": membership change expected the configuration at index " + expected
            + " but the membership in force is at index " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    /** The configuration index the caller expected. */
    public long expected() {
        return expected;
    }

    /** The index of the membership in force. */
    public long actual() {
        return actual;
    }
}
