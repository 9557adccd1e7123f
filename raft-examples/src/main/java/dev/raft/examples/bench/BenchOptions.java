package dev.raft.examples.bench;

/**
 * One benchmark run's settings; the flags and defaults of the Aeron Cluster reference peer's {@code ClusterBench}.
 *
 * @param client         how commands reach the leader: over Aeron UDP from a client with its own media driver,
 *                       or proposed inside the leader's JVM
 * @param mode           closed loop with a window ({@code THROUGHPUT}) or open loop at a fixed rate ({@code LATENCY})
 * @param messages       measured messages
 * @param warmup         warm-up messages, same mode, answered before the measured ones are sent
 * @param window         throughput mode: most messages sent and not yet answered
 * @param rate           latency mode: messages per second
 * @param size           payload bytes of each message (bytes 0-7 its stamp, 8-15 its sequence number)
 * @param fsync          whether each node forces its log to disk before an entry counts as written
 * @param timeoutSeconds the run (warm-up and measured phase) fails with an error after this long
 * @param jfr            a file to record a Flight Recorder profile of the measured phase to, or null
 * @param reads          after the measured phase of writes, one measured phase of as many reads per entry, in order
 *                       (gets of the echo state machine: without the log with a read policy, or through it for
 *                       {@code LOG}); empty for none
 */
public record BenchOptions(Client client, Mode mode, long messages, long warmup, int window, double rate, int size,
                           boolean fsync, int timeoutSeconds, java.nio.file.Path jfr,
                           java.util.List<dev.raft.examples.kv.Consistency> reads) {
    /** Smallest payload: the stamp and the sequence number. */
    public static final int MIN_SIZE = 16;
    /** Largest payload accepted. */
    public static final int MAX_SIZE = 256 * 1024;

    /** How commands reach the leader. */
    public enum Client {
        /** A client with its own media driver, over Aeron UDP to the leader's client service (the peer's work). */
        AERON,
        /** Proposed to the leader's RaftNode in this process (no client hop): engine-level figures. */
        IN_PROCESS
    }

    /** How messages are offered. */
    public enum Mode {
        /** Closed loop: at most {@code window} outstanding; msgs/s is the result. */
        THROUGHPUT,
        /** Open loop at {@code rate}: latency from each message's scheduled send time is the result. */
        LATENCY
    }

    /** Options without read phases. */
    public BenchOptions(Client client, Mode mode, long messages, long warmup, int window, double rate, int size,
                        boolean fsync, int timeoutSeconds, java.nio.file.Path jfr) {
        this(client, mode, messages, warmup, window, rate, size, fsync, timeoutSeconds, jfr, java.util.List.of());
    }

    /** Checks every field and names the first one out of range. */
    public BenchOptions {
        reads = java.util.List.copyOf(reads);
        java.util.Objects.requireNonNull(client, "client");
        java.util.Objects.requireNonNull(mode, "mode");
        check("--messages", messages, 1, 100_000_000);
        check("--warmup", warmup, 0, 100_000_000);
        check("--window", window, 1, 1 << 19);
        if (!(rate >= 1 && rate <= 10_000_000)) {
            throw new IllegalArgumentException("--rate must be in [1, 10000000], got " + rate);
        }
        check("--size", size, MIN_SIZE, MAX_SIZE);
        check("--timeout", timeoutSeconds, 1, 24 * 3600);
    }

    private static void check(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be in [" + min + ", " + max + "], got " + value);
        }
    }

    /** The value of the JSON line's {@code system} field. */
    public String system() {
        return client == Client.AERON ? "raftkv" : "raftkv-in-process";
    }
}
