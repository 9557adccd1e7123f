package dev.raft.examples.bench;

import java.io.PrintWriter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * One run's figures, printed as a table for people and as one JSON line with the Aeron Cluster reference peer's
 * field names (its {@code ClusterBench}), so that the side-by-side script reads both alike.
 *
 * @param options         the settings
 * @param msgsPerSecond   measured messages / (last echo - first send), NaN if the run failed
 * @param latency         measured latencies, ns (empty if the run failed)
 * @param leaderChanges   term rises seen in answers during the measured phase
 * @param sent            messages sent (warm-up and measured), each counted once
 * @param answered        messages echoed, each counted once
 * @param duplicates      further echoes of an answered message (after a resend)
 * @param notLeader       NOT_LEADER refusals (each followed by a resend to the leader named)
 * @param failed          other refusals (leadership lost, a full queue), each followed by a resend
 * @param malformed       answers that were no echo of a message of this run
 * @param resent          messages sent again
 * @param backPressure    sends refused by the channel (tried again later)
 * @param warmupPerSecond warm-up messages per second
 * @param clientAllocated bytes the client's load thread allocated in the measured phase, -1 if unknown
 * @param error           why the run failed, or null
 * @param reads           the read phases ({@link BenchOptions#reads()}), in order
 */
public record BenchResult(BenchOptions options, double msgsPerSecond, Histogram latency, long leaderChanges, long sent,
                          long answered, long duplicates, long notLeader, long failed, long malformed, long resent,
                          long backPressure, double warmupPerSecond, long clientAllocated, String error,
                          java.util.List<ReadPhase> reads) {
    /**
     * One read phase's figures: reads per second, latencies (ns) of {@code consistency}, and this process's CPU
     * microseconds per read (NaN if unknown).
     */
    public record ReadPhase(dev.raft.examples.kv.Consistency consistency, double readsPerSecond, Histogram latency,
                            double cpuMicrosPerRead) {
    }

    /** A result without read phases. */
    public BenchResult(BenchOptions options, double msgsPerSecond, Histogram latency, long leaderChanges, long sent,
                       long answered, long duplicates, long notLeader, long failed, long malformed, long resent,
                       long backPressure, double warmupPerSecond, long clientAllocated, String error) {
        this(options, msgsPerSecond, latency, leaderChanges, sent, answered, duplicates, notLeader, failed, malformed,
            resent, backPressure, warmupPerSecond, clientAllocated, error, java.util.List.of());
    }

    /** A run that failed before or while measuring. */
    public static BenchResult failed(BenchOptions options, String error) {
        return new BenchResult(options, Double.NaN, new Histogram(3), 0, 0, 0, 0, 0, 0, 0, 0, 0, Double.NaN, -1, error);
    }

    /** Whether every message sent was answered and nothing failed. */
    public boolean complete() {
        return error == null && sent == (options.warmup() + options.messages()) * (1 + options.reads().size())
            && answered == sent;
    }

    /** The JSON line: exactly the fields of issue #16, with the peer's names, on one line. */
    public String json() {
        final BenchOptions o = options;
        final boolean throughput = o.mode() == BenchOptions.Mode.THROUGHPUT;
        return "{\"system\":\"" + o.system() + "\""
            + ",\"mode\":\"" + o.mode().name().toLowerCase(Locale.ROOT) + "\""
            + ",\"size\":" + o.size()
            + ",\"fsync\":" + (o.fsync() ? 1 : 0)
            + ",\"messages\":" + o.messages()
            + ",\"msgs_per_s\":" + number(msgsPerSecond)
            + ",\"p50_us\":" + micros(50)
            + ",\"p90_us\":" + micros(90)
            + ",\"p99_us\":" + micros(99)
            + ",\"p999_us\":" + micros(99.9)
            + ",\"max_us\":" + (latency.getTotalCount() > 0 ? number(latency.getMaxValue() / 1000.0) : "null")
            + ",\"window\":" + (throughput ? Integer.toString(o.window()) : "null")
            + ",\"rate\":" + (throughput ? "null" : number(o.rate()))
            + ",\"warmup\":" + o.warmup()
            + ",\"leader_changes\":" + (error == null ? Long.toString(leaderChanges) : "null")
            + ",\"error\":" + (error == null ? "null" : "\"" + escape(error) + "\"")
            + readFields()
            + "}";
    }

    /** For each read phase: {@code reads_<consistency>_msgs_per_s}, {@code _p50_us}, {@code _p99_us}, {@code _max_us}. */
    private String readFields() {
        final StringBuilder b = new StringBuilder();
        for (ReadPhase r : reads) {
            final String prefix = ",\"reads_" + r.consistency().name().toLowerCase(Locale.ROOT) + "_";
            final Histogram h = r.latency();
            b.append(prefix).append("msgs_per_s\":").append(number(r.readsPerSecond()))
                .append(prefix).append("p50_us\":").append(micros(h, 50))
                .append(prefix).append("p99_us\":").append(micros(h, 99))
                .append(prefix).append("max_us\":").append(h.getTotalCount() > 0 ? number(h.getMaxValue() / 1000.0) : "null");
        }
        return b.toString();
    }

    private static String micros(Histogram h, double percentile) {
        return h.getTotalCount() > 0 ? number(h.getValueAtPercentile(percentile) / 1000.0) : "null";
    }

    private String micros(double percentile) {
        return latency.getTotalCount() > 0 ? number(latency.getValueAtPercentile(percentile) / 1000.0) : "null";
    }

    private static String number(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String s) {
        final StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(' ');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The table for people. */
    public void printTable(PrintWriter out) {
        final BenchOptions o = options;
        out.printf(Locale.ROOT, "%-22s %s, client %s, %d B, fsync %d, %s%n", "run",
            o.mode().name().toLowerCase(Locale.ROOT), o.client() == BenchOptions.Client.AERON ? "aeron-udp" : "in-process",
            o.size(), o.fsync() ? 1 : 0, o.mode() == BenchOptions.Mode.THROUGHPUT ? "window " + o.window()
                : String.format(Locale.ROOT, "rate %.0f/s", o.rate()));
        out.printf(Locale.ROOT, "%-22s %,d warm-up (%,.0f msgs/s) + %,d measured%n", "messages", o.warmup(), warmupPerSecond,
            o.messages());
        out.printf(Locale.ROOT, "%-22s %,.0f msgs/s, %.3f MB/s payload%n", "measured throughput", msgsPerSecond,
            msgsPerSecond * o.size() / 1e6);
        if (latency.getTotalCount() > 0) {
            out.printf(Locale.ROOT, "%-22s p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (n=%,d)%n",
                o.mode() == BenchOptions.Mode.THROUGHPUT ? "send-to-echo" : "scheduled-to-echo",
                duration(latency.getValueAtPercentile(50)), duration(latency.getValueAtPercentile(90)),
                duration(latency.getValueAtPercentile(99)), duration(latency.getValueAtPercentile(99.9)),
                duration(latency.getMaxValue()), latency.getTotalCount());
        }
        for (ReadPhase r : reads) {
            final Histogram h = r.latency();
            out.printf(Locale.ROOT, "%-22s %,.0f reads/s  p50 %s  p99 %s  max %s  CPU %.2f us/read%n",
                "reads " + r.consistency().name().toLowerCase(Locale.ROOT), r.readsPerSecond(),
                h.getTotalCount() > 0 ? duration(h.getValueAtPercentile(50)) : "-",
                h.getTotalCount() > 0 ? duration(h.getValueAtPercentile(99)) : "-",
                h.getTotalCount() > 0 ? duration(h.getMaxValue()) : "-", r.cpuMicrosPerRead());
        }
        out.printf(Locale.ROOT, "%-22s sent %,d  answered %,d  duplicates %,d%n", "messages (whole run)", sent, answered,
            duplicates);
        out.printf(Locale.ROOT, "%-22s not-leader %,d  failed %,d  malformed %,d  resent %,d  back-pressure %,d%n",
            "refusals and retries", notLeader, failed, malformed, resent, backPressure);
        out.printf(Locale.ROOT, "%-22s %d (during the measured phase)%n", "leader changes", leaderChanges);
        if (clientAllocated >= 0) {
            out.printf(Locale.ROOT, "%-22s %,d bytes in the measured phase (%.2f per message; progress lines included)%n",
                "client thread alloc", clientAllocated, (double) clientAllocated / o.messages());
        }
        if (error != null) {
            out.printf(Locale.ROOT, "%-22s %s%n", "ERROR", error);
        }
    }

    private static String duration(long nanos) {
        return nanos >= 10_000_000 ? String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
            : String.format(Locale.ROOT, "%.0f us", nanos / 1e3);
    }
}
