package dev.raft.testkit.conformance;

import dev.raft.api.storage.FlushCallback;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flush callback the suite passes to every append of one opened store: checks the order rules of
 * {@link FlushCallback} as reports arrive (from any thread) and remembers what is guaranteed durable.
 */
final class FlushTracker implements FlushCallback {
    private final AtomicInteger inFlight = new AtomicInteger();
    private long lastReport;
    private long durable;
    private long bannedFrom = Long.MAX_VALUE;
    private long appendedLast;
    /** Entries found on reopen: no callback will report them, and a flush wait must not expect one. */
    private long recovered;
    private boolean dead;
    private String violationContract;
    private String violation;

    /**
     * @param durable   the highest index guaranteed durable so far
     * @param recovered the last index the (re)opened store holds
     */
    FlushTracker(long durable, long recovered) {
        this.durable = durable;
        this.lastReport = 0;
        this.appendedLast = recovered;
        this.recovered = recovered;
    }

    @Override
    public void onFlushed(long flushedIndex) {
        final int before = inFlight.getAndIncrement();
        try {
            report(flushedIndex, before);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private synchronized void report(long flushedIndex, int othersInFlight) {
        if (dead || violation != null) {
            return;
        }
        if (othersInFlight > 0) {
            violate(StorageContracts.FLUSH_ONE_AT_A_TIME, "onFlushed(" + flushedIndex + ") called while another call was running");
            return;
        }
        if (flushedIndex > appendedLast) {
            violate(StorageContracts.FLUSH_APPENDED, "onFlushed(" + flushedIndex + ") but the last appended index is " + appendedLast);
        } else if (flushedIndex >= bannedFrom) {
            violate(StorageContracts.FLUSH_AFTER_TRUNCATE, "onFlushed(" + flushedIndex + ") after truncateFrom(" + bannedFrom
                + ") returned and before anything was appended there");
        } else if (flushedIndex <= lastReport) {
            violate(StorageContracts.FLUSH_INCREASING, "onFlushed(" + flushedIndex + ") after onFlushed(" + lastReport + ")");
        }
        lastReport = flushedIndex;
        durable = Math.max(durable, flushedIndex);
        notifyAll();
    }

    private void violate(String contract, String detail) {
        violationContract = contract;
        violation = detail + " (on thread " + Thread.currentThread().getName() + ")";
    }

    synchronized void beforeAppend(long lastIndex) {
        bannedFrom = Long.MAX_VALUE;
        appendedLast = lastIndex;
    }

    synchronized void afterTruncate(long index) {
        lastReport = Math.min(lastReport, index - 1);
        durable = Math.min(durable, index - 1);
        bannedFrom = index;
        appendedLast = index - 1;
        recovered = Math.min(recovered, index - 1);
    }

    /** Purged entries need no flush report: the purge itself is durable on return. */
    synchronized void afterPurge(long upToIndex) {
        appendedLast = Math.max(appendedLast, upToIndex);
        durable = Math.max(durable, upToIndex);
        notifyAll();
    }

    /** The highest index guaranteed durable: reported flushed and not truncated since. */
    synchronized long durable() {
        return durable;
    }

    /** Stops checking: the store was closed or crashed (later calls are ignored). */
    synchronized void kill() {
        dead = true;
    }

    /** Throws the first violation seen, if any. */
    synchronized void check(OpLog log) {
        if (violation != null) {
            throw log.failure(violationContract, violation, null);
        }
    }

    /** Waits until {@code index} is reported durable; false on timeout. */
    synchronized boolean await(long index, long timeoutNanos) throws InterruptedException {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (Math.max(durable, recovered) < index && violation == null) {
            final long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
