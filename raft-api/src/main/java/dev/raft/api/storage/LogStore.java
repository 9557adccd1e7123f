package dev.raft.api.storage;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;

/**
 * The durable Raft log of one node and its vote.
 *
 * <h2>Model</h2>
 * The store holds the entries with indexes {@code (lastPurgedLogId.index, lastLogId.index]}, each with
 * consecutive indexes and non-decreasing terms, and remembers {@code lastPurgedLogId}: the id of the
 * last entry removed from the front by {@link #purgeUpTo}. An empty store has both ids
 * {@link LogId#NONE}; a store purged up to its end has {@code lastLogId == lastPurgedLogId}.
 *
 * <h2>Threading</h2>
 * One thread, the <em>writer</em> (the node's thread), calls every method but {@link #read}, one call at
 * a time. {@link #read} may be called from any thread at any time, concurrently with the writer, and
 * never sees a torn entry (part old, part new), an entry that was never appended, or an entry after it
 * was truncated or purged and the mutating call returned.
 *
 * <h2>Durability</h2>
 * Entries a store finds when it is (re)opened count as durable: they are never reported to a
 * {@link FlushCallback}. Purged entries need no flush report either: the purge itself is durable.
 * <ul>
 *   <li>{@link #append}: not durable on return; durable once the {@link FlushCallback} reports an index
 *       {@code >=} the entry's. After a crash, the reopened log is a prefix of what was appended (no
 *       holes, no torn entry) that includes at least every entry whose flush was reported.</li>
 *   <li>{@link #truncateFrom} and {@link #purgeUpTo}: durable on return.</li>
 *   <li>{@link #saveVote}: durable on return.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * Methods throw {@link IllegalArgumentException} for arguments that break the model (naming the
 * operation, the argument and the valid range), and {@link dev.raft.api.error.StorageException} for IO
 * failures and corruption. After a fatal {@code StorageException} every further call may throw.
 * Calls after {@link #close()} throw {@link IllegalStateException}.
 */
public interface LogStore extends AutoCloseable {
    /** The id of the last entry held, or {@link #lastPurgedLogId()} if none is held. Includes non-durable appends. */
    LogId lastLogId();

    /** The id of the last entry removed by {@link #purgeUpTo}, or {@link LogId#NONE}. */
    LogId lastPurgedLogId();

    /**
     * The term of the entry at {@code index}.
     *
     * @return the term for an index in {@code [lastPurgedLogId.index, lastLogId.index]} (the purged index
     *         answers with the purged term, index 0 with 0)
     * @throws IllegalArgumentException if {@code index} is outside that range
     */
    long termAt(long index);

    /**
     * Appends entries after the last one. The store copies what it needs before returning; the batch
     * may be reused at once.
     *
     * <p>Not durable on return. Once every entry up to some index is durable, the store calls
     * {@code callback.onFlushed(index)} (possibly covering several appends at once, possibly from
     * another thread). The callback of every append is eventually called, unless the store is closed
     * first or fails fatally.
     *
     * @param entries  a non-empty batch whose first index is {@code lastLogId.index + 1} and whose first
     *                 term is {@code >= lastLogId.term}
     * @param callback told of durability
     * @throws IllegalArgumentException if the batch is empty, does not start at the next index, or its
     *                                  term is lower than the last entry's
     */
    void append(EntryBatch entries, FlushCallback callback);

    /**
     * Copies entries {@code [fromIndex, toIndexExclusive)} into {@code dst} (appended after what
     * {@code dst} holds), stopping early once the payload bytes copied reach {@code maxBytes}: the entry
     * that makes the total reach or exceed {@code maxBytes} is included, so at least one entry is copied
     * when the range is not empty. Thread-safe (see the class documentation).
     *
     * @return the number of entries copied
     * @throws IllegalArgumentException if {@code fromIndex <= lastPurgedLogId.index}, or
     *                                  {@code toIndexExclusive > lastLogId.index + 1}, or
     *                                  {@code fromIndex > toIndexExclusive}
     */
    int read(long fromIndex, long toIndexExclusive, int maxBytes, EntryBatch dst);

    /**
     * Removes the entry at {@code index} and every later one. Durable on return. Entries appended before
     * the call and not yet reported flushed are flushed (and their callbacks told, capped at
     * {@code index - 1}) or removed; after the call no flush report will name an index {@code >= index}
     * until new entries are appended there.
     *
     * @param index {@code lastPurgedLogId.index < index <= lastLogId.index + 1} (the upper bound is a no-op)
     * @throws IllegalArgumentException if {@code index} is outside that range
     */
    void truncateFrom(long index);

    /**
     * Removes every entry up to and including {@code upTo.index} and records {@code upTo} as the last
     * purged log id. Durable on return. Purging beyond the last entry is allowed (after installing a
     * snapshot): the log is then empty and {@code lastLogId() == upTo}. Purging at or below the current
     * purge point is a no-op.
     *
     * @param upTo the id of the last entry to remove; when it is within the log, its term must equal
     *             {@code termAt(upTo.index)}
     * @throws IllegalArgumentException if {@code upTo} is within the log and its term does not match
     */
    void purgeUpTo(LogId upTo);

    /**
     * Saves the vote. Durable on return.
     *
     * <p>Within one term a vote may go from "none" to a candidate, never from one candidate to another
     * nor back to "none": a node votes once per term.
     *
     * @throws IllegalArgumentException if {@code vote.term} is lower than the saved term, or equal to it while
     *                                  a vote was already cast in that term for a different {@code votedFor}
     */
    void saveVote(Vote vote);

    /** The last saved vote, or {@link Vote#INITIAL} if none was ever saved. */
    Vote readVote();

    /**
     * Closes the store. Appends not yet durable may be lost (as in a crash) or flushed; their callbacks
     * may not be called. Idempotent.
     */
    @Override
    void close();
}
