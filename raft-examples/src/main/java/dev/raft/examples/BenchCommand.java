package dev.raft.examples;

import dev.raft.examples.bench.BenchOptions;
import dev.raft.examples.bench.BenchResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv bench}: the cluster benchmark, the same work as the Aeron Cluster reference peer's
 * ({@code ../shared/peers/aeron-cluster}); the last stdout line is one JSON object with the peer's field names.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Benchmark a 3-node cluster in this process on 127.0.0.1 (one embedded media driver per node, Aeron UDP, "
        + "file storage, an echo state machine) driven by ONE client with its own media driver over Aeron UDP: the work "
        + "of the Aeron Cluster reference peer. Prints a progress line a second, a table, and as the last line one JSON "
        + "object (system, mode, size, fsync, messages, msgs_per_s, p50_us, p90_us, p99_us, p999_us, max_us, window, "
        + "rate, warmup, leader_changes, error). Exit 1 if the run failed or a message went unanswered.",
        "Profiling: --jfr FILE records the measured phase (CPU and allocation samples; read it with 'jfr view')."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--mode", defaultValue = "throughput",
        description = "throughput (closed loop, --window outstanding) or latency (open loop at --rate). Default: ${DEFAULT-VALUE}.")
    private String mode;

    @Option(names = "--client", defaultValue = "aeron",
        description = "aeron (a client over UDP, the peer's work) or in-process (proposed in the leader's JVM). Default: ${DEFAULT-VALUE}.")
    private String client;

    @Option(names = "--messages", description = "Measured messages (default: 500000 in throughput mode, 200000 in latency mode).")
    private Long messages;

    @Option(names = "--warmup", defaultValue = "50000", description = "Warm-up messages, same mode, not recorded (default: ${DEFAULT-VALUE}).")
    private long warmup;

    @Option(names = "--window", defaultValue = "1000", description = "Throughput mode: most messages outstanding (default: ${DEFAULT-VALUE}).")
    private int window;

    @Option(names = "--rate", defaultValue = "10000", description = "Latency mode: messages per second (default: ${DEFAULT-VALUE}).")
    private double rate;

    @Option(names = "--size", defaultValue = "64", description = "Payload bytes, at least 16 (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--fsync", defaultValue = "0", description = "1: each node forces its log to disk before an entry counts; 0: no fsync (default: ${DEFAULT-VALUE}).")
    private int fsync;

    @Option(names = "--timeout", defaultValue = "600", description = "Seconds the warm-up and measured phase may take together (default: ${DEFAULT-VALUE}).")
    private int timeout;

    @Option(names = "--reads", paramLabel = "C[,C...]", split = ",",
        description = "After the measured writes, per consistency given, in order, a warm-up and a measured phase of as"
            + " many reads as the writes had:"
            + " linearizable (ReadIndex), lease, serializable, log (through the log); each prints reads_<c>_msgs_per_s"
            + " and latencies in the JSON line. Default: none.")
    private java.util.List<String> reads = new java.util.ArrayList<>();

    @Option(names = "--jfr", description = "Record a Flight Recorder profile (settings 'profile') of the measured phase to this file.")
    private Path jfr;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Authenticate every cluster frame with the keys in FILE"
        + " (mode 600; see the README's security section), to measure what frame authentication costs.")
    private Path keyFile;

    @Override
    public Integer call() throws Exception {
        final CommandLine cli = spec.commandLine();
        final BenchOptions options;
        try {
            options = options();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, e.getMessage());
        }
        final PrintWriter out = cli.getOut();
        BenchResult result;
        try {
            result = Bench.run(options, out, null, keyFile);
        } catch (Exception e) {
            result = BenchResult.failed(options, e.getMessage() != null ? e.getMessage() : e.toString());
        }
        result.printTable(out);
        out.println(result.json()); // always the last line
        out.flush();
        return result.complete() ? 0 : 1;
    }

    BenchOptions options() {
        final BenchOptions.Mode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "throughput" -> BenchOptions.Mode.THROUGHPUT;
            case "latency" -> BenchOptions.Mode.LATENCY;
            default -> throw new IllegalArgumentException("--mode must be throughput or latency, got '" + mode + "'");
        };
        final BenchOptions.Client c = switch (client.toLowerCase(Locale.ROOT)) {
            case "aeron" -> BenchOptions.Client.AERON;
            case "in-process" -> BenchOptions.Client.IN_PROCESS;
            default -> throw new IllegalArgumentException("--client must be aeron or in-process, got '" + client + "'");
        };
        if (fsync != 0 && fsync != 1) {
            throw new IllegalArgumentException("--fsync must be 0 or 1, got " + fsync);
        }
        final long n = messages != null ? messages : m == BenchOptions.Mode.THROUGHPUT ? 500_000 : 200_000;
        final java.util.List<dev.raft.examples.kv.Consistency> readPhases = new java.util.ArrayList<>();
        for (String r : reads) {
            try {
                readPhases.add(dev.raft.examples.kv.Consistency.parse(r.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--reads: " + e.getMessage(), e);
            }
        }
        return new BenchOptions(c, m, n, warmup, window, rate, size, fsync == 1, timeout, jfr, readPhases);
    }
}
