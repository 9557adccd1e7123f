package dev.raft.testkit.conformance;

/**
 * The names of the contracts {@link StorageConformanceSuite} checks, each quoting the raft-api Javadoc
 * it comes from. Every failure message of the suite starts with one of them.
 */
public final class StorageContracts {
    /** A new log store. */
    public static final String LOG_EMPTY = "LogStore (new store): no entry, lastLogId and lastPurgedLogId NONE, vote INITIAL";
    /** {@code lastLogId}. */
    public static final String LAST_LOG_ID = "LogStore.lastLogId: the last entry held (including non-durable appends), or lastPurgedLogId";
    /** {@code lastPurgedLogId}. */
    public static final String LAST_PURGED = "LogStore.lastPurgedLogId: the id of the last entry removed by purgeUpTo";
    /** {@code termAt} in range. */
    public static final String TERM_AT = "LogStore.termAt: the term of the entry at index (the purged index answers the purged term, 0 answers 0)";
    /** {@code termAt} out of range. */
    public static final String TERM_AT_RANGE = "LogStore.termAt: rejects an index outside [lastPurgedLogId.index, lastLogId.index]";
    /** {@code read} returns what was appended. */
    public static final String READ_ENTRIES = "LogStore.read: returns the appended entries intact (term, index, type, payload)";
    /** {@code append} copies. */
    public static final String APPEND_COPIES = "LogStore.append: copies the batch before returning (the batch may be reused at once)";
    /** Empty batch. */
    public static final String APPEND_EMPTY = "LogStore.append: rejects an empty batch";
    /** Wrong first index. */
    public static final String APPEND_INDEX = "LogStore.append: rejects a batch that does not start at lastLogId.index + 1";
    /** Decreasing term. */
    public static final String APPEND_TERM = "LogStore.append: rejects a first term lower than the last entry's";
    /** Rejections change nothing. */
    public static final String REJECTED_NO_CHANGE = "LogStore: a call rejected with IllegalArgumentException changes nothing";
    /** {@code read} range checks. */
    public static final String READ_RANGE = "LogStore.read: rejects fromIndex <= lastPurgedLogId.index, toIndexExclusive > lastLogId.index + 1, or from > to";
    /** {@code read} byte limit. */
    public static final String READ_MAX_BYTES = "LogStore.read: stops once the payload bytes copied reach maxBytes, copying at least one entry";
    /** {@code read} destination and count. */
    public static final String READ_DST = "LogStore.read: appends after what dst holds and returns the number of entries copied";
    /** Concurrent reads. */
    public static final String READ_CONCURRENT = "LogStore.read: concurrent with the writer, never a torn entry, an entry never appended, or one truncated or purged before the read";
    /** Truncation. */
    public static final String TRUNCATE = "LogStore.truncateFrom: removes the entry at index and every later one";
    /** Truncation range. */
    public static final String TRUNCATE_RANGE = "LogStore.truncateFrom: rejects an index outside (lastPurgedLogId.index, lastLogId.index + 1]";
    /** Truncation durability. */
    public static final String TRUNCATE_DURABLE = "LogStore.truncateFrom: durable on return";
    /** Purge. */
    public static final String PURGE = "LogStore.purgeUpTo: removes every entry up to upTo.index, keeps the later ones, records upTo as lastPurgedLogId";
    /** Purge beyond the end. */
    public static final String PURGE_BEYOND = "LogStore.purgeUpTo: beyond the last entry empties the log and lastLogId == upTo";
    /** Purge below the purge point. */
    public static final String PURGE_NOOP = "LogStore.purgeUpTo: at or below the current purge point is a no-op";
    /** Purge with a wrong term. */
    public static final String PURGE_TERM = "LogStore.purgeUpTo: rejects upTo within the log whose term does not match termAt(upTo.index)";
    /** Purge durability. */
    public static final String PURGE_DURABLE = "LogStore.purgeUpTo: durable on return";
    /** Vote read back. */
    public static final String VOTE = "LogStore.readVote: the last saved vote, or Vote.INITIAL";
    /** Vote term. */
    public static final String VOTE_LOWER = "LogStore.saveVote: rejects a term lower than the saved term (terms never decrease)";
    /** One vote per term. */
    public static final String VOTE_ONCE = "LogStore.saveVote: rejects another candidate in the saved term (one vote per term)";
    /** Vote durability. */
    public static final String VOTE_DURABLE = "LogStore.saveVote: durable on return";
    /** Flush callback liveness. */
    public static final String FLUSH_EVENTUALLY = "LogStore.append: the flush callback of every append is eventually called";
    /** Flush callback order. */
    public static final String FLUSH_INCREASING = "FlushCallback.onFlushed: flushedIndex strictly increasing between two truncations";
    /** Flush callback serialization. */
    public static final String FLUSH_ONE_AT_A_TIME = "FlushCallback.onFlushed: calls for one store come one at a time";
    /** Flush callback after truncation. */
    public static final String FLUSH_AFTER_TRUNCATE = "LogStore.truncateFrom: no flush report names an index >= index until entries are appended there";
    /** Flush callback bound. */
    public static final String FLUSH_APPENDED = "FlushCallback.onFlushed: names only an index that was appended";
    /** Flushed entries survive. */
    public static final String FLUSH_DURABLE = "LogStore.append: an entry reported flushed survives a crash";
    /** Crash leaves a prefix. */
    public static final String CRASH_PREFIX = "LogStore (crash): the reopened log is a prefix of what was appended (no hole, no torn or phantom entry)";
    /** Reopen after a clean close. */
    public static final String REOPEN = "LogStore (reopen after close): every flushed entry, the purge point and the vote are back";
    /** Closed store. */
    public static final String LOG_CLOSED = "LogStore.close: idempotent; later calls throw IllegalStateException";
    /** Allowed log calls succeed. */
    public static final String LOG_ALLOWED = "LogStore: a call the contract allows does not throw";
    /** Membership entries. */
    public static final String MEMBERSHIP_ENTRIES = "LogStore: membership entries are stored and read back intact";

    /** A new snapshot store. */
    public static final String SNAPSHOT_EMPTY = "SnapshotStore.current: empty for a new store";
    /** Sink meta. */
    public static final String SINK_META = "SnapshotSink.meta: the meta the snapshot was begun with";
    /** Positional writes. */
    public static final String SINK_WRITE = "SnapshotSink.write: bytes land at the given position; repeating a write is idempotent";
    /** Negative position. */
    public static final String SINK_WRITE_POSITION = "SnapshotSink.write: rejects a negative position";
    /** Write consumes. */
    public static final String SINK_WRITE_CONSUMES = "SnapshotSink.write: on return src has been consumed";
    /** Contiguous bytes. */
    public static final String SINK_CONTIGUOUS = "SnapshotSink.contiguousBytes: the bytes written from position 0 without a gap";
    /** Invisible until finish. */
    public static final String SINK_INVISIBLE = "SnapshotStore: a snapshot is invisible until SnapshotSink.finish";
    /** Finish. */
    public static final String FINISH = "SnapshotSink.finish: makes the snapshot current, sized to the highest written position, and returns its reader";
    /** Finish with a gap. */
    public static final String FINISH_GAP = "SnapshotSink.finish: throws IllegalStateException if the written bytes have a gap";
    /** Use after finish or abort. */
    public static final String SINK_STATE = "SnapshotSink: write and finish after finish or abort throw IllegalStateException";
    /** Older snapshot. */
    public static final String FINISH_OLDER = "SnapshotStore.begin: a snapshot older than the current one (by last log id) fails to finish and is discarded";
    /** Snapshot durability. */
    public static final String FINISH_DURABLE = "SnapshotSink.finish: durable; SnapshotStore.current returns the same after reopen or crash";
    /** Failed finish. */
    public static final String FINISH_FAILED = "SnapshotSink.finish: if it could not be made durable, the previous current snapshot is still current";
    /** Abort. */
    public static final String ABORT = "SnapshotSink.abort: drops the snapshot; idempotent; a no-op after finish";
    /** Crash before finish. */
    public static final String CRASH_BEFORE_FINISH = "SnapshotStore: a crash leaves the previous current snapshot or the new one, never a partial one";
    /** Reader content. */
    public static final String READER = "SnapshotReader: meta, size, read(position) and openStream return the snapshot's bytes; read returns -1 at the end";
    /** Reader validity. */
    public static final String READER_VALID = "SnapshotReader: valid until closed, even if a newer snapshot becomes current";
    /** Retryable write failure. */
    public static final String WRITE_RETRYABLE = "SnapshotSink.write: a failed write throws a retryable StorageException and the sink stays usable";
    /** Close aborts sinks. */
    public static final String SNAPSHOT_CLOSE = "SnapshotStore.close: open sinks are aborted; idempotent";
    /** Snapshot store threading. */
    public static final String SNAPSHOT_THREADS = "SnapshotStore: any thread may call any method; a reader sees a whole finished snapshot";
    /** No leftover files. */
    public static final String SNAPSHOT_FILES = "SnapshotSink.abort drops the temporary file; finish removes the previous snapshot after the new one is in place; a snapshot refused as older leaves nothing behind";
    /** Allowed calls succeed. */
    public static final String SNAPSHOT_ALLOWED = "SnapshotStore/SnapshotSink: a call the contract allows does not throw";
    /** Snapshot transfer. */
    public static final String TRANSFER = "Snapshot transfer: a reader's chunks written to another store's sink, out of order and repeated, make the same snapshot";

    /** Limits at their maximum. */
    public static final String LIMITS = "LogStore/SnapshotStore: the largest entry (StorageFactory.maxEntryBytes), the longest snapshot id (SnapshotMeta.MAX_ID_LENGTH) and the largest chunk (RaftConfig.MAX_SNAPSHOT_CHUNK_BYTES) are kept intact, before and after reopen";
    /** Every callback is told. */
    public static final String FLUSH_EVERY_CALLBACK = "LogStore.append: the callback of every append is told, not only the latest one (two appends with two callbacks: both are called)";
    /** State after an injected failure. */
    public static final String FAILURE_STATE = "After a failed call, every state query (contiguousBytes, current, ids) reports what was actually kept";

    private StorageContracts() {
    }
}
