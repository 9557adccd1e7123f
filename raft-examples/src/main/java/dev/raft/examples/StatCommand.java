package dev.raft.examples;

import dev.raft.core.RaftCounters;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.metrics.CncCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.stream.Stream;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
    description = {"Print the counters of a running server's media driver, AeronStat-style, refreshing.",
        "Point --aeron-dir at the server's transport.aeronDirectory (its start-up log names it), --dir at its data.dir."})
final class StatCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--aeron-dir", description = "The server's media driver directory: the transport's and the driver's counters.")
    private String aeronDir;

    @Option(names = "--dir", description = "The server's data directory: the engine's counters (elections, snapshot transfers, ...).")
    private Path dataDir;

    @Option(names = "--interval-ms", defaultValue = "1000", description = "Refresh interval (default: ${DEFAULT-VALUE}).")
    private long intervalMs;

    @Option(names = "--count", defaultValue = "0", description = "Print this many times, then exit; 0: until interrupted.")
    private int count;

    @Option(names = "--filter", description = "Only counters whose label matches this regular expression.")
    private String filter;

    @Override
    public Integer call() throws InterruptedException {
        final PrintWriter out = spec.commandLine().getOut();
        if (aeronDir == null && dataDir == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --aeron-dir, --dir or both");
        }
        final Pattern pattern = filter == null ? null : Pattern.compile(filter);
        final List<AutoCloseable> open = new ArrayList<>();
        try {
            final CncCounters driver = aeronDir == null ? null : CncCounters.open(aeronDir);
            if (driver != null) {
                open.add(driver);
            }
            final RaftCounters.View engine = dataDir == null ? null : openEngineCounters(dataDir);
            if (engine != null) {
                open.add(engine);
            }
            for (int i = 0; count == 0 || i < count; i++) {
                if (i > 0) {
                    Thread.sleep(Math.max(1, intervalMs));
                }
                out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + " - "
                    + (aeronDir != null ? aeronDir : "") + (aeronDir != null && dataDir != null ? ", " : "")
                    + (dataDir != null ? dataDir : ""));
                out.println("==========================");
                if (driver != null) {
                    for (CncCounters.Counter c : driver.read()) {
                        print(out, pattern, c.id(), c.value(), c.label());
                    }
                }
                if (engine != null) {
                    engine.reader().forEach((value, id, label) -> print(out, pattern, id, value, label));
                }
                out.println("--");
                out.flush();
            }
        } catch (IllegalStateException e) {
            spec.commandLine().getErr().println("raftkv stat: " + e.getMessage());
            return 1;
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // read-only mappings: nothing to report
                }
            }
        }
        return 0;
    }

    private static void print(PrintWriter out, Pattern pattern, int id, long value, String label) {
        if (pattern == null || pattern.matcher(label).find()) {
            out.printf("%3d: %,20d - %s%n", id, value, label);
        }
    }

    /** The engine's counters file in {@code dir}'s counters directory. */
    private static RaftCounters.View openEngineCounters(Path dir) {
        final Path countersDir = dir.resolve(KvNode.COUNTERS_DIR);
        try (Stream<Path> files = Files.list(countersDir)) {
            final Path file = files.filter(f -> f.getFileName().toString().matches("raft-node-\\d+-counters\\.dat"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no engine counters file in " + countersDir
                    + ": is the server running on --dir " + dir + "?"));
            return RaftCounters.openMappedFile(file);
        } catch (IOException e) {
            throw new IllegalStateException("no engine counters in " + countersDir + " (" + e.getMessage()
                + "): is the server running on --dir " + dir + "?", e);
        }
    }
}
