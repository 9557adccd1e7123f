package dev.raft.api.message;

import dev.raft.api.EntryBatch;

/**
 * A leader's request to append entries after {@code (prevLogTerm, prevLogIndex)}; with no entries, a
 * heartbeat. The entries are held in a batch owned by this message and reused with it.
 */
public final class AppendEntriesRequest extends RaftMessage {
    private final EntryBatch entries = new EntryBatch(4096);
    private long prevLogIndex;
    private long prevLogTerm;
    private long leaderCommit;
    private long readSeq;

    @Override
    public MessageType type() {
        return MessageType.APPEND_ENTRIES_REQUEST;
    }

    /**
     * Sets every field but the entries, which are cleared, and {@link #readSeq()}, which is reset to 0.
     *
     * @param from         the leader
     * @param to           the follower
     * @param term         the leader's term
     * @param prevLogIndex the index of the entry just before the new ones
     * @param prevLogTerm  the term of that entry
     * @param leaderCommit the leader's commit index
     */
    public AppendEntriesRequest set(int from, int to, long term, long prevLogIndex, long prevLogTerm, long leaderCommit) {
        header(from, to, term);
        this.prevLogIndex = prevLogIndex;
        this.prevLogTerm = prevLogTerm;
        this.leaderCommit = leaderCommit;
        this.readSeq = 0;
        entries.clear();
        return this;
    }

    /**
     * Sets the read round this message belongs to: the leader's count of heartbeat rounds that confirm its
     * leadership for reads (ReadIndex), echoed by the follower's answer. 0: none.
     */
    public AppendEntriesRequest readSeq(long readSeq) {
        this.readSeq = readSeq;
        return this;
    }

    /** The leader's read round when it sent this message (0: none); the answer echoes it. Never negative. */
    public long readSeq() {
        return readSeq;
    }

    /** The index of the entry just before the new ones. */
    public long prevLogIndex() {
        return prevLogIndex;
    }

    /** The term of the entry just before the new ones. */
    public long prevLogTerm() {
        return prevLogTerm;
    }

    /** The leader's commit index. */
    public long leaderCommit() {
        return leaderCommit;
    }

    /** The entries, starting at {@code prevLogIndex + 1} when not empty. Fill it after {@link #set}. */
    public EntryBatch entries() {
        return entries;
    }

    @Override
    public void copyFrom(RaftMessage source) {
        final AppendEntriesRequest s = (AppendEntriesRequest) source;
        set(s.from(), s.to(), s.term(), s.prevLogIndex, s.prevLogTerm, s.leaderCommit);
        readSeq = s.readSeq;
        entries.addAll(s.entries, 0, s.entries.size());
    }

    @Override
    public AppendEntriesRequest copy() {
        final AppendEntriesRequest copy = new AppendEntriesRequest();
        copy.copyFrom(this);
        return copy;
    }

    @Override
    public String toString() {
        return headerString() + " prev=" + prevLogTerm + "-" + prevLogIndex + " commit=" + leaderCommit
            + (readSeq == 0 ? "" : " read=" + readSeq) + " " + entries + "}";
    }
}
