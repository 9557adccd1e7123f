package dev.raft.api.storage;

import dev.raft.api.SnapshotMeta;
import java.nio.ByteBuffer;

/**
 * A snapshot being written. Bytes go to positions given by the caller, so that chunks may arrive out
 * of order and be repeated: writing the same bytes at the same position twice is idempotent.
 */
public interface SnapshotSink {
    /** The meta the snapshot was begun with. */
    SnapshotMeta meta();

    /**
     * Writes the remaining bytes of {@code src} at {@code position}. Not durable until {@link #finish()}.
     * On return {@code src} has been consumed.
     *
     * @throws IllegalArgumentException if {@code position < 0}
     * @throws IllegalStateException    if the sink was finished or aborted
     * @throws dev.raft.api.error.StorageException (retryable) if the write failed; the sink stays usable
     */
    void write(long position, ByteBuffer src);

    /**
     * The number of bytes from position 0 on that have been written without a gap. A resumed transfer
     * continues from here.
     */
    long contiguousBytes();

    /**
     * Makes the snapshot durable and current: forced, atomically moved into place, the directory forced;
     * the previous current snapshot is removed only after. The snapshot's size is the highest written
     * position; a gap of unwritten bytes below it is an error.
     *
     * @return a reader of the finished snapshot
     * @throws IllegalStateException if already finished or aborted, or the written bytes have a gap (the
     *                               caller then aborts the sink)
     * @throws dev.raft.api.error.StorageException if it could not be made durable; the previous current
     *                                             snapshot is still current
     */
    SnapshotReader finish();

    /** Drops the snapshot and its temporary file. Idempotent; a no-op after {@link #finish()}. */
    void abort();
}
