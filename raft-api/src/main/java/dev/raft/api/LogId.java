package dev.raft.api;

/**
 * The id of a log entry: the term in which a leader created it and its index in the log.
 *
 * <p>Log ids are ordered by term first, then by index, which is the order Raft uses to decide which
 * of two logs is more up to date (Raft paper §5.4.1). {@link #NONE} ({@code 0, 0}) stands for the
 * empty log and sorts before every real entry.
 *
 * @param term  the term, {@code >= 0}; {@code 0} only for {@link #NONE}
 * @param index the index, {@code >= 0}; {@code 0} only for {@link #NONE}
 */
public record LogId(long term, long index) implements Comparable<LogId> {
    /** The id of the empty log. */
    public static final LogId NONE = new LogId(0, 0);

    /**
     * @throws IllegalArgumentException if term or index is negative, or exactly one of them is 0
     */
    public LogId {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("LogId: term and index must be >= 0, got term=" + term + " index=" + index);
        }
        if ((term == 0) != (index == 0)) {
            throw new IllegalArgumentException("LogId: term 0 is only valid with index 0 (the empty log), got term="
                + term + " index=" + index);
        }
    }

    /** Creates a log id; {@code of(0, 0)} returns {@link #NONE}. */
    public static LogId of(long term, long index) {
        return term == 0 && index == 0 ? NONE : new LogId(term, index);
    }

    /** Compares two log ids given as primitives, term first, then index. */
    public static int compare(long term1, long index1, long term2, long index2) {
        final int byTerm = Long.compare(term1, term2);
        return byTerm != 0 ? byTerm : Long.compare(index1, index2);
    }

    /** Whether this is the id of the empty log. */
    public boolean isNone() {
        return index == 0;
    }

    @Override
    public int compareTo(LogId other) {
        return compare(term, index, other.term, other.index);
    }

    /** Whether this id sorts after {@code other}: a log ending here is more up to date. */
    public boolean isNewerThan(LogId other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return term + "-" + index;
    }
}
