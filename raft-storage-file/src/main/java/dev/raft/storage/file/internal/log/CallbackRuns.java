package dev.raft.storage.file.internal.log;

import dev.raft.api.error.StorageException;
import dev.raft.api.storage.FlushCallback;
import java.util.Arrays;

/**
 * The flush callbacks still owed, as runs of consecutive indexes sharing one callback (a node passes the
 * same callback to every append, so steady state is one run that grows, with no allocation). The writer
 * adds; the flusher dispatches; both under this object's monitor.
 */
final class CallbackRuns {
    private FlushCallback[] callbacks = new FlushCallback[16];
    private long[] firsts = new long[16];
    private long[] lasts = new long[16];
    private int head;
    private int size;
    private long lastReported;

    /** Owes {@code callback} a report covering {@code [first, last]}. */
    synchronized void add(long first, long last, FlushCallback callback) {
        if (size > 0) {
            final int tail = slot(size - 1);
            if (callbacks[tail] == callback && lasts[tail] + 1 == first) {
                lasts[tail] = last;
                return;
            }
        }
        if (size == callbacks.length) {
            grow();
        }
        final int slot = slot(size);
        callbacks[slot] = callback;
        firsts[slot] = first;
        lasts[slot] = last;
        size++;
    }

    /**
     * Reports every entry up to {@code upTo} durable: each callback is told the end of its run, or
     * {@code upTo} if that comes first (never an index that was not appended, even after a purge beyond
     * the end moved the log past it); reports strictly increase.
     */
    synchronized void dispatch(long upTo) {
        while (size > 0 && firsts[head] <= upTo) {
            final FlushCallback callback = callbacks[head];
            final long last = lasts[head];
            final long report = Math.min(last, upTo);
            if (report > lastReported) {
                lastReported = report;
                callback.onFlushed(report);
            }
            if (last > upTo) {
                return;
            }
            callbacks[head] = null;
            head = slot(1);
            size--;
        }
    }

    /**
     * The owed entries will never become durable: tells each callback still owed a report, once, and forgets
     * them (the store is unusable from now on).
     */
    synchronized void fail(StorageException error) {
        for (int i = 0; i < size; i++) {
            final FlushCallback callback = callbacks[slot(i)];
            boolean told = false;
            for (int j = 0; j < i && !told; j++) {
                told = callbacks[slot(j)] == callback;
            }
            if (!told) {
                callback.onFailed(error);
            }
        }
        Arrays.fill(callbacks, null);
        size = 0;
    }

    /** Drops what is owed for entries from {@code index} on (they were removed). */
    synchronized void truncateFrom(long index) {
        while (size > 0 && firsts[slot(size - 1)] >= index) {
            callbacks[slot(size - 1)] = null;
            size--;
        }
        if (size > 0) {
            final int tail = slot(size - 1);
            lasts[tail] = Math.min(lasts[tail], index - 1);
        }
        lastReported = Math.min(lastReported, index - 1);
    }

    private int slot(int i) {
        return (head + i) & (callbacks.length - 1);
    }

    private void grow() {
        final int n = callbacks.length;
        final FlushCallback[] c = new FlushCallback[n * 2];
        final long[] f = new long[n * 2];
        final long[] l = new long[n * 2];
        for (int i = 0; i < size; i++) {
            c[i] = callbacks[slot(i)];
            f[i] = firsts[slot(i)];
            l[i] = lasts[slot(i)];
        }
        callbacks = c;
        firsts = f;
        lasts = l;
        head = 0;
        Arrays.fill(callbacks, size, n * 2, null);
    }
}
