package dev.raft.core.internal.runtime;

import dev.raft.api.error.StorageException;
import dev.raft.api.storage.FlushCallback;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The log store's "durable up to" reports: its flush callbacks (from any thread) only publish the index,
 * and the node thread takes new values once per duty cycle; a reported flush failure stops the node. A truncation lowers the index, so a report of
 * entries that were removed never counts for the ones that replace them.
 */
final class FlushReports {
    private final AtomicLong flushedIndex = new AtomicLong();
    private final FlushCallback callback;
    private long seen;

    /** @param onFailure told (on the store's thread) when the store reports it can no longer flush */
    FlushReports(Consumer<StorageException> onFailure) {
        callback = new FlushCallback() {
            @Override
            public void onFlushed(long flushedIndex) {
                FlushReports.this.flushedIndex.lazySet(flushedIndex);
            }

            @Override
            public void onFailed(StorageException error) {
                onFailure.accept(error);
            }
        };
    }

    FlushCallback callback() {
        return callback;
    }

    /** Starts from a log durable up to {@code index}. */
    void reset(long index) {
        flushedIndex.set(index);
        seen = index;
    }

    /** The reported index if it changed since the last call, else -1. */
    long takeChange() {
        final long flushed = flushedIndex.get();
        if (flushed == seen) {
            return -1;
        }
        seen = flushed;
        return flushed;
    }

    /** The log was truncated from {@code fromIndex}: nothing at or after it is durable. */
    void truncatedFrom(long fromIndex) {
        long current;
        while ((current = flushedIndex.get()) >= fromIndex && !flushedIndex.compareAndSet(current, fromIndex - 1)) {
            Thread.onSpinWait();
        }
        seen = Math.min(seen, fromIndex - 1);
    }
}
