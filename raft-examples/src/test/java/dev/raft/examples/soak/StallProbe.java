package dev.raft.examples.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Measures how late a thread that parks for 1 ms wakes up: the stalls the operating system's scheduler imposes on
 * any thread of a process on this machine (a node's heartbeat included). Keeps a histogram of the lateness and the
 * instants of the stalls of 50 ms or more.
 */
final class StallProbe {
    private static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int MAX_LISTED = 20;

    private final Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(60), 2);
    private final List<String> stalls = new ArrayList<>();
    private volatile boolean running;
    private Thread thread;

    /** Starts the probing thread. */
    synchronized void start() {
        running = true;
        thread = new Thread(this::run, "stall-probe");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the probing thread and waits for it. Idempotent. */
    void stop() throws InterruptedException {
        final Thread t;
        synchronized (this) {
            running = false;
            t = thread;
        }
        if (t != null) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }

    private void run() {
        while (running) {
            final long before = System.nanoTime();
            LockSupport.parkNanos(PARK_NANOS);
            final long late = Math.max(0, System.nanoTime() - before - PARK_NANOS);
            synchronized (this) {
                lateness.recordValue(Math.min(late, lateness.getHighestTrackableValue()));
                if (late >= STALL_NANOS) {
                    if (stalls.size() < MAX_LISTED) {
                        stalls.add(Instant.now() + " woke " + late / 1_000_000 + " ms late");
                    }
                }
            }
        }
    }

    /** The lateness percentiles, the count of stalls of 50 ms or more and the first of them. */
    synchronized String summary() {
        final long ms = 1_000_000;
        return "wake-up lateness p50 " + lateness.getValueAtPercentile(50) / 1000 + " us, p99 "
            + lateness.getValueAtPercentile(99) / 1000 + " us, p99.99 " + lateness.getValueAtPercentile(99.99) / ms
            + " ms, max " + lateness.getMaxValue() / ms + " ms over " + lateness.getTotalCount() + " parks; stalls >= "
            + STALL_NANOS / ms + " ms: " + lateness.getCountBetweenValues(STALL_NANOS, lateness.getHighestTrackableValue())
            + (stalls.isEmpty() ? "" : " (first: " + String.join("; ", stalls) + ")");
    }
}
