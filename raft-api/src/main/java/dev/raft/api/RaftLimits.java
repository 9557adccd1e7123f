package dev.raft.api;

/** Ceilings on values a peer can claim: a term or log index at or above its ceiling is malformed. */
public final class RaftLimits {
    /** Terms are in [0, MAX_TERM): far below overflow, so {@code term + 1} never wraps. */
    public static final long MAX_TERM = 1L << 62;
    /** Log indexes are in [0, MAX_INDEX): far below overflow, so index arithmetic never wraps. */
    public static final long MAX_INDEX = 1L << 62;

    private RaftLimits() {
    }

    /** Whether {@code term} is a term a peer may send. */
    public static boolean isValidTerm(final long term) {
        return term >= 0 && term < MAX_TERM;
    }

    /** Whether {@code index} is a log index a peer may send. */
    public static boolean isValidIndex(final long index) {
        return index >= 0 && index < MAX_INDEX;
    }
}
