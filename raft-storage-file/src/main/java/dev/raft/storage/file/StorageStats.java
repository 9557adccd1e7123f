package dev.raft.storage.file;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * How long the file log store's forces take: one {@code FileChannel.force} round per group-commit batch, timed by the
 * store's flusher thread (in {@link DurabilityMode#NO_FSYNC} nothing is forced and nothing is recorded). For metrics
 * export ({@code raftkv server --metrics-port} publishes it as a Prometheus histogram).
 *
 * <p>Threads: the flusher records without locking or allocating (an HdrHistogram {@link Recorder}, 1 µs to 60 s at two
 * significant digits; longer forces count as 60 s); any thread may take a {@link #snapshot()}.
 */
public final class StorageStats {
    private static final long LOWEST_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int DIGITS = 2;

    private final Recorder recorder = new Recorder(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    private final AtomicLong totalNanos = new AtomicLong();
    private final Histogram cumulative = new Histogram(LOWEST_NANOS, HIGHEST_NANOS, DIGITS);
    private Histogram interval;

    /** Empty statistics, to give to {@link FileStores#openLogStore(java.nio.file.Path, FileStorageConfig, StorageStats)}. */
    public StorageStats() {
    }

    /** Records one force round that took {@code nanos}. */
    void recordForce(long nanos) {
        final long clamped = Math.max(0, Math.min(nanos, HIGHEST_NANOS));
        recorder.recordValue(clamped);
        totalNanos.addAndGet(clamped);
    }

    /** Every force recorded so far. */
    public synchronized Snapshot snapshot() {
        interval = recorder.getIntervalHistogram(interval);
        cumulative.add(interval);
        return new Snapshot(cumulative.copy(), totalNanos.get());
    }

    /** The force latencies recorded up to one {@link #snapshot()} call. Immutable. */
    public static final class Snapshot {
        private final Histogram histogram;
        private final long totalNanos;

        private Snapshot(Histogram histogram, long totalNanos) {
            this.histogram = histogram;
            this.totalNanos = totalNanos;
        }

        /** The number of force rounds. */
        public long count() {
            return histogram.getTotalCount();
        }

        /** The time spent forcing, in nanoseconds. */
        public long totalNanos() {
            return totalNanos;
        }

        /** The latency at {@code percentile} (0 to 100), in nanoseconds (two significant digits); 0 if none recorded. */
        public long valueAtPercentileNanos(double percentile) {
            return histogram.getValueAtPercentile(percentile);
        }

        /** The slowest force round, in nanoseconds (two significant digits). */
        public long maxNanos() {
            return histogram.getMaxValue();
        }

        /** How many force rounds took at most {@code nanos} (within the histogram's two significant digits). */
        public long countAtOrBelow(long nanos) {
            return nanos >= HIGHEST_NANOS ? histogram.getTotalCount()
                : histogram.getCountBetweenValues(0, Math.max(0, nanos));
        }
    }
}
