package dev.raft.examples;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raftkv bench}: the cluster benchmark, one JSON line with fsync on and off. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Benchmark a 3-node cluster in this process on 127.0.0.1 (Aeron UDP, file storage): PUTs proposed",
        "to the leader at a fixed rate, latency from each command's intended send time to its completion (no",
        "coordinated omission). Prints one JSON line with fsync on and off."})
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--rate", defaultValue = "10000", description = "Commands per second (default: ${DEFAULT-VALUE}).")
    private int rate;

    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    private int seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "Warm-up seconds per run (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--value-bytes", defaultValue = "64", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
    private int valueBytes;

    @Override
    public Integer call() throws Exception {
        final CommandLine cli = spec.commandLine();
        if (rate < 1 || rate > 1_000_000) {
            throw new CommandLine.ParameterException(cli, "--rate must be in [1, 1000000], got " + rate);
        }
        if (seconds < 1 || seconds > 3600 || warmup < 0 || warmup > 600) {
            throw new CommandLine.ParameterException(cli, "--seconds must be in [1, 3600] and --warmup in [0, 600], got "
                + seconds + " and " + warmup);
        }
        if (valueBytes < 0 || valueBytes > 256 * 1024) {
            throw new CommandLine.ParameterException(cli, "--value-bytes must be in [0, 262144], got " + valueBytes);
        }
        final Bench.Result on = Bench.run(true, rate, warmup, seconds, valueBytes);
        final Bench.Result off = Bench.run(false, rate, warmup, seconds, valueBytes);
        final PrintWriter out = cli.getOut();
        out.println("{\"bench\":\"raftkv 3-node loopback cluster\",\"fsyncOn\":" + on.json() + ",\"fsyncOff\":" + off.json() + "}");
        out.flush();
        return 0;
    }
}
