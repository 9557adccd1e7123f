package dev.raft.storage.file.internal.log;

import dev.raft.api.error.StorageException;
import dev.raft.api.storage.FlushCallback;
import dev.raft.storage.file.internal.segment.Segment;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * The group commit of a {@link FileLogStore}: forces the segments written since the last force and then tells the
 * flush callbacks owed (appends made while a force runs form the next batch). With fsync it runs on a thread of its
 * own that the writer wakes; without, {@link #wake()} reports at once on the writer's thread, forcing nothing.
 *
 * <p>Its lock ({@link #lock()}) is held by every force; the store holds it while it changes or deletes segments.
 */
final class LogFlusher {
    private final FileLogStore store;
    private final String name;
    private final LongConsumer forceTimer;
    private final CallbackRuns callbacks = new CallbackRuns();
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean idle;
    /** Guarded by {@link #lock}. */
    private long flushedIndex;

    /**
     * Starts flushing {@code store}, whose entries up to {@code flushedIndex} are durable; with {@code fsync}, on
     * thread {@code threadName}, reporting each force round's nanoseconds to {@code forceTimer}.
     */
    LogFlusher(FileLogStore store, long flushedIndex, boolean fsync, String threadName, LongConsumer forceTimer) {
        this.store = store;
        this.name = store.toString();
        this.flushedIndex = flushedIndex;
        this.forceTimer = forceTimer;
        if (fsync) {
            thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    /** Owes {@code callback} a report once entries {@code [first, last]} are durable (writer thread). */
    void owe(long first, long last, FlushCallback callback) {
        callbacks.add(first, last, callback);
    }

    /**
     * With fsync, wakes the flusher if it sleeps; without, reports the flush at once on this thread (there
     * is nothing to wait for, and no thread hand-off).
     */
    void wake() {
        if (thread == null) {
            flushOnce();
        } else if (idle) {
            LockSupport.unpark(thread);
        }
    }

    /** Holds off forces (reentrant), while the store changes its segments. */
    void lock() {
        lock.lock();
    }

    void unlock() {
        lock.unlock();
    }

    /** The last entry reported durable. */
    long flushedIndex() {
        lock.lock();
        try {
            return flushedIndex;
        } finally {
            lock.unlock();
        }
    }

    /** The entries from {@code index} on are gone (the caller holds the lock): nothing is owed for them. */
    void truncatedFrom(long index) {
        if (flushedIndex >= index) {
            flushedIndex = index - 1;
        }
        callbacks.truncateFrom(index);
    }

    private void run() {
        // every change that gives the flusher work unparks it (see wake), so a long park costs no
        // latency; it only bounds how often an idle store wakes up
        final BackoffIdleStrategy idleStrategy = new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(10));
        while (running) {
            if (flushOnce()) {
                idleStrategy.reset();
                continue;
            }
            idle = true;
            if (store.publishedLastIndex() == flushedIndex() && running) {
                idleStrategy.idle();
            }
            idle = false;
        }
    }

    /** Forces what was written since the last force and tells the callbacks. Returns whether there was work. */
    boolean flushOnce() {
        lock.lock();
        Path forcing = null;
        try {
            final long target = store.publishedLastIndex();
            if (target <= flushedIndex || store.hasFailed()) {
                return false;
            }
            if (thread != null) {
                final long start = System.nanoTime();
                final Segment[] segs = store.segments();
                for (int k = 0; k < segs.length; k++) {
                    final long nextFirst = k + 1 < segs.length ? segs[k + 1].firstIndex() : Long.MAX_VALUE;
                    if (segs[k].firstIndex() <= target && nextFirst - 1 > flushedIndex) {
                        forcing = segs[k].path();
                        segs[k].channel().force(false);
                    }
                }
                forceTimer.accept(System.nanoTime() - start);
            }
            flushedIndex = target;
            callbacks.dispatch(target);
            return true;
        } catch (IOException e) {
            // tell the node now (fail-stop), not only at its next call into the store
            callbacks.fail(store.fail(name + ": force of " + forcing + " failed, entries after " + flushedIndex
                + " are not durable: " + e, e));
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the thread (without a last force) and waits until it has ended. */
    void stop() {
        running = false;
        if (thread == null) {
            return;
        }
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
