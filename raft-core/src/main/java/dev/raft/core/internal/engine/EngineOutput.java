package dev.raft.core.internal.engine;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import org.agrona.DirectBuffer;

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

    // ------------------------------------------------------------------ snapshots

    /**
     * Remove every log entry up to and including {@code upTo} (after a snapshot covers them); durable on
     * return. {@code upTo} may lie beyond the log's end (the log is then empty after it).
     */
    void purgeLog(LogId upTo);

    /** Abort the local snapshot build in progress: a snapshot received from the leader replaces it. */
    void abortSnapshotBuild();

    /** Open a sink for the snapshot {@code meta} streamed by the leader (the receive stream). */
    void beginSnapshot(SnapshotMeta meta);

    /**
     * Write {@code length} bytes of {@code data} (from 0) at {@code position} of the receive stream.
     *
     * @return the number of contiguous bytes from 0 the stream holds afterwards, or -1 if the write
     *         failed (the stream is kept; the chunk may be written again)
     */
    long writeSnapshotChunk(long position, DirectBuffer data, int length);

    /** Drop the receive stream and its sink. */
    void abortSnapshot();

    /**
     * Finish the receive stream durably and install it into the state machine (on the calling thread,
     * so no apply interleaves); afterwards the state machine's last applied id is {@code meta.lastLogId()}.
     *
     * @return false if the snapshot could not be made durable (the stream is gone; nothing was installed)
     */
    boolean installSnapshot(SnapshotMeta meta);

    /**
     * Fill {@code request} (header set: its {@code chunkOffset}, snapshot and {@code done}) with
     * {@code length} bytes of the node's current snapshot from {@code request.chunkOffset()}, and send it.
     */
    void sendSnapshotChunk(InstallSnapshotRequest request, int length);
}
