package dev.raft.api.message;

/**
 * A follower's answer to {@link AppendEntriesRequest}.
 *
 * <p>On success, {@code matchIndex} is the index of the last entry the follower now holds that
 * matches the leader's log (prevLogIndex + number of entries). On rejection, {@code rejectedIndex} is
 * the prevLogIndex that did not match, and the hint {@code (conflictTerm, conflictIndex)} lets the
 * leader skip back a whole term at once: {@code conflictTerm} is the follower's term at
 * {@code rejectedIndex} (0 if it has no entry there) and {@code conflictIndex} the first index the
 * follower holds of that term (or its last index + 1 when its log is shorter). {@code lastLogIndex} is
 * always the follower's last index. {@code readSeq} echoes the read round of the leader's latest
 * AppendEntries that this follower accepted in the current term (0 if none).
 */
public final class AppendEntriesResponse extends RaftMessage {
    private boolean success;
    private long matchIndex;
    private long rejectedIndex;
    private long conflictTerm;
    private long conflictIndex;
    private long lastLogIndex;
    private long readSeq;

    @Override
    public MessageType type() {
        return MessageType.APPEND_ENTRIES_RESPONSE;
    }

    /** A success: the follower matches the leader up to {@code matchIndex}. */
    public AppendEntriesResponse success(int from, int to, long term, long matchIndex, long lastLogIndex) {
        header(from, to, term);
        this.success = true;
        this.matchIndex = matchIndex;
        this.rejectedIndex = 0;
        this.conflictTerm = 0;
        this.conflictIndex = 0;
        this.lastLogIndex = lastLogIndex;
        this.readSeq = 0;
        return this;
    }

    /** A rejection of {@code rejectedIndex}, with the conflict hint; also used for a stale term (all zero). */
    public AppendEntriesResponse reject(int from, int to, long term, long rejectedIndex, long conflictTerm,
                                        long conflictIndex, long lastLogIndex) {
        header(from, to, term);
        this.success = false;
        this.matchIndex = 0;
        this.rejectedIndex = rejectedIndex;
        this.conflictTerm = conflictTerm;
        this.conflictIndex = conflictIndex;
        this.lastLogIndex = lastLogIndex;
        this.readSeq = 0;
        return this;
    }

    /** Whether the entries were appended (or already present). */
    public boolean isSuccess() {
        return success;
    }

    /** On success: the last index known to match the leader. */
    public long matchIndex() {
        return matchIndex;
    }

    /** On rejection: the prevLogIndex that did not match. */
    public long rejectedIndex() {
        return rejectedIndex;
    }

    /** On rejection: the follower's term at {@code rejectedIndex}, or 0. */
    public long conflictTerm() {
        return conflictTerm;
    }

    /** On rejection: the first index of {@code conflictTerm} on the follower, or its last index + 1. */
    public long conflictIndex() {
        return conflictIndex;
    }

    /** The follower's last log index. */
    public long lastLogIndex() {
        return lastLogIndex;
    }

    /** Sets the echoed read round (after {@link #success} or {@link #reject}, which reset it to 0). */
    public AppendEntriesResponse readSeq(long readSeq) {
        this.readSeq = readSeq;
        return this;
    }

    /** The read round of the leader's latest AppendEntries this follower accepted in this term; 0: none. */
    public long readSeq() {
        return readSeq;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final AppendEntriesResponse s = (AppendEntriesResponse) source;
        copyHeader(s);
        success = s.success;
        matchIndex = s.matchIndex;
        rejectedIndex = s.rejectedIndex;
        conflictTerm = s.conflictTerm;
        conflictIndex = s.conflictIndex;
        lastLogIndex = s.lastLogIndex;
        readSeq = s.readSeq;
    }

    @Override
    public AppendEntriesResponse copy() {
        final AppendEntriesResponse copy = new AppendEntriesResponse();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + (success ? " ok match=" + matchIndex
            : " reject=" + rejectedIndex + " conflict=" + conflictTerm + "-" + conflictIndex) + " last=" + lastLogIndex
            + (readSeq == 0 ? "" : " read=" + readSeq) + "}";
    }
}
