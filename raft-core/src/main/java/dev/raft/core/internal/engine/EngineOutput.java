package dev.raft.core.internal.engine;

import dev.raft.api.EntryBatch;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.RaftMessage;

/**
 * The commands the {@link RaftEngine} emits, in the order it emits them. The runtime executes each one
 * before the call returns (so a vote is durable before the message that depends on it is sent); a
 * test records them. Arguments are reused by the engine: copy what you keep.
 */
public interface EngineOutput {
    /** Make {@code (term, votedFor)} durable before returning (LogStore.saveVote). */
    void persistVote(long term, int votedFor);

    /**
     * Append the entries at positions {@code [fromPosition, toPosition)} of {@code entries} to the log
     * (they follow the log's last entry). Not durable on return: report durability through
     * {@link RaftEngine#onLogFlushed(long)}.
     */
    void appendToLog(EntryBatch entries, int fromPosition, int toPosition);

    /** Remove the log entry at {@code fromIndex} and every later one; durable on return. */
    void truncateLog(long fromIndex);

    /** Send a message that is complete as given (votes, responses, heartbeats). */
    void send(RaftMessage message);

    /**
     * Fill {@code request}'s entries with the log entries from {@code fromIndex} up to at most
     * {@code toIndexMax}, bounded by the per-message byte limit (at least one entry), and send it.
     *
     * @return the index of the last entry put in the message
     */
    long sendAppendEntries(AppendEntriesRequest request, long fromIndex, long toIndexMax);

    /** The commit index advanced to {@code commitIndex}: apply every entry up to it, in order. */
    void committed(long commitIndex);

    /**
     * This node stopped being the leader of {@code term}: every proposal not yet applied has an unknown
     * outcome. Emitted before the role change is visible to {@link #stateChanged()}.
     */
    void leadershipLost(long term);

    /** Role, term, vote or leader changed (publish metrics). */
    void stateChanged();
}
