package dev.raft.examples;

import dev.raft.api.EntryType;
import dev.raft.examples.server.ExitCode;
import dev.raft.examples.server.Failure;
import dev.raft.storage.file.tools.LogInspector;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raftkv log verify|dump|truncate}: offline tools over a server's data directory. */
@Command(name = "log", mixinStandardHelpOptions = true,
    description = "Offline tools over a server's data directory (stop the server first for truncate).",
    subcommands = {LogCommand.Verify.class, LogCommand.Dump.class, LogCommand.Truncate.class})
final class LogCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: verify, dump or truncate");
    }

    /** Runs a tool body, turning its failure into one line and an exit code. */
    static int guarded(CommandLine cli, Path dir, Callable<Integer> body) {
        try {
            return body.call();
        } catch (Exception e) {
            final Failure f = e instanceof IllegalArgumentException
                ? new Failure(ExitCode.USAGE, e.getMessage()) : Failure.of(e, dir);
            cli.getErr().println("raftkv " + cli.getCommandName() + ": " + f.line());
            cli.getErr().flush();
            return f.exitCode().code();
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Scan every log segment and snapshot file as a starting node would; print the first bad record with",
            "its file and byte offset, and check that the log continues the current snapshot. Exit 0 if sound (a torn",
            "tail is reported: the node cuts it on start), 65 if corrupt."})
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The server's data directory (--dir of raftkv server).")
        private Path dir;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            return guarded(cli, dir, () -> {
                final PrintWriter out = cli.getOut();
                final LogInspector.Report r = LogInspector.of(dir).verify();
                out.println("log " + r.logDirectory() + ": " + r.segments().size() + " segment(s), entries ["
                    + r.firstIndex() + ", " + r.lastIndex() + "] readable");
                if (r.gap() != null) {
                    out.println("CORRUPT: " + r.gap());
                }
                if (r.firstCorrupt() != null) {
                    final LogInspector.SegmentReport s = r.firstCorrupt();
                    out.println("CORRUPT: first bad record: index " + (s.lastIndex() + 1) + " in " + s.file() + " at byte "
                        + s.recordsEnd() + ": " + s.problem()
                        + (s.laterValidOffset() >= 0 ? " (a valid record follows at byte " + s.laterValidOffset() + ")" : ""));
                    out.println("to repair (see the README's corruption procedure): raftkv log truncate --dir " + dir
                        + " --from-index " + (s.lastIndex() + 1) + " --force");
                } else if (r.tornTail() != null) {
                    out.println("torn tail (cut when the node starts; not corruption): " + r.tornTail().file() + " at byte "
                        + r.tornTail().recordsEnd() + ": " + r.tornTail().problem());
                }
                final LogInspector inspector = LogInspector.of(dir);
                final List<LogInspector.SnapshotReport> snapshots = inspector.verifySnapshots();
                boolean corrupt = r.corrupt();
                for (LogInspector.SnapshotReport s : snapshots) {
                    if (s.problem() == null) {
                        out.println("snapshot " + s.file() + ": " + s.snapshotId() + ", entries up to " + s.lastIndex()
                            + " (term " + s.lastTerm() + "), " + s.dataLength() + " bytes, sound" + (s.current() ? "" : " (superseded)"));
                    } else if (s.current()) {
                        out.println("CORRUPT: current snapshot: " + s.problem());
                    } else {
                        out.println("superseded snapshot (the node deletes it on start; not corruption): " + s.problem());
                    }
                    corrupt |= s.corrupt();
                }
                final String gap = LogInspector.continuityProblem(r, snapshots);
                if (gap != null) {
                    out.println("CORRUPT: " + gap);
                    corrupt = true;
                }
                out.println(corrupt ? "verify: CORRUPT" : "verify: OK");
                out.flush();
                return corrupt ? ExitCode.CORRUPT_DATA.code() : 0;
            });
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true, description = "Print log entries as text: index, term, type, size, payload.")
    static final class Dump implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The server's data directory.")
        private Path dir;

        @Option(names = "--from", defaultValue = "1", description = "First index (default: ${DEFAULT-VALUE}).")
        private long from;

        @Option(names = "--count", defaultValue = "100", description = "Most entries (default: ${DEFAULT-VALUE}).")
        private long count;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            return guarded(cli, dir, () -> {
                final PrintWriter out = cli.getOut();
                LogInspector.of(dir).dump(from, count, e -> out.println("index=" + e.index() + " term=" + e.term() + " type="
                    + typeName(e.type()) + " bytes=" + e.payload().length + " payload=" + printable(e.payload())));
                out.flush();
                return 0;
            });
        }

        private static String typeName(int code) {
            try {
                return EntryType.fromCode(code).name();
            } catch (IllegalArgumentException e) {
                return Integer.toString(code);
            }
        }

        /** Up to 64 bytes, printable ASCII as is, the rest as \xNN. */
        static String printable(byte[] payload) {
            final StringBuilder sb = new StringBuilder("\"");
            final int n = Math.min(64, payload.length);
            for (int i = 0; i < n; i++) {
                final int b = payload[i] & 0xff;
                if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                    sb.append((char) b);
                } else {
                    sb.append(String.format("\\x%02x", b));
                }
            }
            return sb.append('"').append(payload.length > n ? "..." : "").toString();
        }
    }

    @Command(name = "truncate", mixinStandardHelpOptions = true,
        description = {"Drop the log's entries from --from-index on (to repair a corrupt record). Prints what it drops;",
            "without --force it changes nothing and exits 1. Stop the server first: it refuses a locked directory."})
    static final class Truncate implements Callable<Integer> {
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The server's data directory.")
        private Path dir;

        @Option(names = "--from-index", required = true, description = "The first index to drop.")
        private long fromIndex;

        @Option(names = "--force", description = "Really truncate.")
        private boolean force;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            return guarded(cli, dir, () -> {
                final PrintWriter out = cli.getOut();
                final LogInspector inspector = LogInspector.of(dir);
                final LogInspector.TruncatePlan plan = inspector.planTruncate(fromIndex);
                out.println("will drop entries [" + plan.fromIndex() + ", " + plan.lastIndex() + "] (" + plan.droppedEntries()
                    + " entries" + (plan.cutFile() != null ? "; zero " + plan.cutFile() + " from byte " + plan.cutOffset() : "")
                    + (plan.deleted().isEmpty() ? "" : "; delete " + plan.deleted()) + ")");
                out.println("safe only while every other node holds these entries (the leader shows their lag at 0):"
                    + " see the README's corruption procedure");
                if (!force) {
                    out.println("nothing changed: add --force to truncate");
                    out.flush();
                    return ExitCode.FOUND.code();
                }
                inspector.truncate(plan);
                out.println("truncated: the log now ends at index " + (plan.fromIndex() - 1)
                    + "; the node catches up from the leader when it starts");
                out.flush();
                return 0;
            });
        }
    }
}
