package dev.raft.api.error;

/**
 * An InstallSnapshot chunk does not fit the stream the follower is receiving: a chunk of another
 * snapshot at a non-zero offset, or the first chunk of a stream at a non-zero offset. The leader then
 * restarts the transfer at offset 0 (or resumes at the expected offset of the same snapshot).
 */
public final class SnapshotMismatchException extends RaftException {
    private static final long serialVersionUID = 1L;

    private final String expectedId;
    private final long expectedOffset;
    private final String gotId;
    private final long gotOffset;

    /**
     * @param expectedId     the snapshot id the follower expects (or the received id, when it expects a new stream)
     * @param expectedOffset the offset it expects
     * @param gotId          the snapshot id received
     * @param gotOffset      the offset received
     */
    public SnapshotMismatchException(String expectedId, long expectedOffset, String gotId, long gotOffset) {
        super("snapshot mismatch: expected " + expectedId + "@" + expectedOffset + ", got " + gotId + "@" + gotOffset);
        this.expectedId = expectedId;
        this.expectedOffset = expectedOffset;
        this.gotId = gotId;
        this.gotOffset = gotOffset;
    }

    /** The snapshot id the follower expects. */
    public String expectedId() {
        return expectedId;
    }

    /** The offset the follower expects. */
    public long expectedOffset() {
        return expectedOffset;
    }

    /** The snapshot id received. */
    public String gotId() {
        return gotId;
    }

    /** The offset received. */
    public long gotOffset() {
        return gotOffset;
    }
}
