package dev.raft.examples;

import dev.raft.examples.metrics.CncCounters;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv stat}: prints the counters of a server's media driver (the framework's transport and engine counters
 * and the driver's own), AeronStat-style: one line per counter, refreshed every interval.
 */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Print the counters of a running server's media driver, AeronStat-style, refreshing: the engine's,",
        "the transport's and the driver's own. Point --aeron-dir at the server's transport.aeronDirectory (its start-up"
            + " log names it)."})
final class StatCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--aeron-dir", required = true,
        description = "The server's media driver directory, whose CnC file holds the counters.")
    private String aeronDir;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(names = "--count", defaultValue = "0", description = "Print this many times, then exit; 0: until interrupted.")
    private int count;

    @Option(names = "--filter", description = "Only counters whose label matches this regular expression.")
    private String filter;

    @Override
    public Integer call() throws InterruptedException {
        final PrintWriter out = spec.commandLine().getOut();
        final Pattern pattern = filter == null ? null : Pattern.compile(filter);
        try (CncCounters driver = CncCounters.open(aeronDir)) {
            for (int i = 0; count == 0 || i < count; i++) {
                if (i > 0) {
                    Thread.sleep(Math.max(1, intervalMs));
                }
                out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " - " + aeronDir);
                out.println("==========================");
                for (CncCounters.Counter c : driver.read()) {
                    print(out, pattern, c.id(), c.value(), c.label());
                }
                out.println("--");
                out.flush();
            }
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("raftkv stat: " + e.getMessage());
            return 1;
        }
        return 0;
    }

    private static void print(PrintWriter out, Pattern pattern, int id, long value, String label) {
        if (pattern == null || pattern.matcher(label).find()) {
            out.printf("%3d: %,20d - %s%n", id, value, label);
        }
    }
}
