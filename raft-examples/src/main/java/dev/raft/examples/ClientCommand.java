package dev.raft.examples;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.examples.kv.ClientAuthenticator;
import dev.raft.examples.kv.Consistency;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code raftkv client}: talks to a running cluster over Aeron UDP. Exit codes: {@value #OK} done, {@value #NO}
 * not found or CAS mismatch, {@value #USAGE} usage (bad arguments, value too large), {@value #UNKNOWN} outcome
 * unknown (the command may have been applied), {@value #UNAVAILABLE} unavailable (not applied: no leader reachable,
 * or refused).
 */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = {"Send one command to a raftkv cluster (its servers' client endpoints: Raft port + 1).",
        "Commands go to the leader (NOT_LEADER answers are followed, also to a leader missing from --cluster);",
        "reads go through the Raft log (linearizable, one log entry each).",
        "Exit codes: 0 done, 1 not found or CAS mismatch, 2 usage or value too large,",
        "3 outcome unknown (the command may have been applied), 4 unavailable (not applied)."})
final class ClientCommand implements Runnable {
    /** The client commands, in the order the usage lists them (added by {@link #addSubcommands}). */
    static final String[] SUBCOMMANDS = {"put", "get", "delete", "cas", "incr", "status", "health"};
    static final int OK = 0;
    static final int NO = 1;
    static final int USAGE = 2;
    static final int UNKNOWN = 3;
    static final int UNAVAILABLE = 4;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    final ClusterOptions options = new ClusterOptions();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "a client command is required: put, get, delete, cas, incr, status or health");
    }

    /** Adds the client command {@code only} to {@code client}, or all of them if it is null. */
    static void addSubcommands(CommandLine client, String only) {
        Subcommands.add(client, SUBCOMMANDS, ClientCommand::subcommand, only);
    }

    private static Object subcommand(String name) {
        return switch (name) {
            case "put" -> new Put();
            case "get" -> new Get();
            case "delete" -> new Delete();
            case "cas" -> new Cas();
            case "incr" -> new Incr();
            case "status" -> new Status();
            case "health" -> new Health();
            default -> throw new IllegalArgumentException("no client command " + name);
        };
    }

    private KvClient connect(CommandLine cli) {
        return options.connect(cli);
    }

    /** The client could not start (no driver, no local address): reported as unavailable. */
    static final class ClientStartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientStartException(String message) {
            super(message);
        }
    }

    static String oneLine(Throwable e) {
        final String message = e.getMessage() == null ? "an internal error (rerun with -Draftkv.trace=true)" : e.getMessage();
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private Duration timeout() {
        return Duration.ofMillis(options.timeoutMillis);
    }

    /** Runs a command, prints its outcome in one line, returns the exit code. */
    int execute(CommandLine cli, byte[] command, boolean read, Function<KvResult, String> ok,
                Function<KvResult, String> no) {
        return execute(cli, command, read, client -> read ? client.read(command, timeout()) : client.execute(command, timeout()),
            ok, no);
    }

    /** Runs {@code call} (which sends {@code command}), prints its outcome in one line, returns the exit code. */
    int execute(CommandLine cli, byte[] command, boolean read, Function<KvClient, KvOutcome> call,
                Function<KvResult, String> ok, Function<KvResult, String> no) {
        if (command.length > ClientProtocol.MAX_COMMAND_BYTES) {
            throw new CommandLine.ParameterException(cli, "value too large: the command would be " + command.length
                + " bytes (key, value and expected value plus " + ClientProtocol.COMMAND_OVERHEAD_BYTES
                + " bytes of encoding); the limit is " + ClientProtocol.MAX_COMMAND_BYTES + " bytes");
        }
        try (KvClient client = connectOrReport(cli)) {
            if (client == null) {
                return UNAVAILABLE;
            }
            final KvOutcome outcome;
            try {
                outcome = call.apply(client);
            } catch (RuntimeException e) {
                // the client itself failed (its media driver died, ...): a write may have left already
                cli.getErr().println("raftkv client: " + (read ? "not applied" : "outcome unknown") + ": the client failed: "
                    + oneLine(e));
                return read ? UNAVAILABLE : UNKNOWN;
            }
            if (outcome instanceof KvOutcome.Ok done) {
                final KvResult result = done.result();
                if (result.status() == KvResult.Status.OK) {
                    cli.getOut().println(ok.apply(result));
                    return OK;
                }
                if (result.status() == KvResult.Status.MALFORMED) {
                    cli.getErr().println("raftkv client: the servers could not decode the command (other version?)");
                    return USAGE;
                }
                cli.getErr().println(no.apply(result));
                return NO;
            }
            if (outcome instanceof KvOutcome.Unknown unknown) {
                cli.getErr().println("raftkv client: outcome unknown: " + unknown.message());
                return UNKNOWN;
            }
            cli.getErr().println("raftkv client: not applied: " + outcome.describe());
            return UNAVAILABLE;
        }
    }

    private KvClient connectOrReport(CommandLine cli) {
        try {
            return connect(cli);
        } catch (ClientStartException e) {
            cli.getErr().println("raftkv client: " + e.getMessage());
            return null;
        }
    }

    private static String previous(KvResult r) {
        return r.value().length == 0 ? "" : " (previous value: " + r.valueText() + ")";
    }

    /** A client command on one key: the parent's connection options, the spec and the KEY parameter. */
    abstract static class KeyCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClientCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "KEY")
        String key;
    }

    /** A command with a value: VALUE, or {@code --value-file FILE} ({@code -} for stdin). */
    abstract static class ValueCommand extends KeyCommand {
        @Option(names = "--value-file", paramLabel = "FILE", description = "Read the value from FILE ('-': standard input).")
        Path valueFile;

        byte[] value(String inline) {
            final CommandLine cli = spec.commandLine();
            if (inline == null && valueFile == null) {
                throw new CommandLine.ParameterException(cli, "Missing required parameter: the value (an argument, or --value-file FILE)");
            }
            if (inline != null && valueFile != null) {
                throw new CommandLine.ParameterException(cli, "give the value as an argument or with --value-file, not both");
            }
            if (inline != null) {
                return inline.getBytes(StandardCharsets.UTF_8);
            }
            try {
                if (valueFile.toString().equals("-")) {
                    return System.in.readNBytes(ClientProtocol.MAX_COMMAND_BYTES + 1);
                }
                if (Files.size(valueFile) > ClientProtocol.MAX_COMMAND_BYTES) {
                    throw new CommandLine.ParameterException(cli, "value too large: " + valueFile + " is "
                        + Files.size(valueFile) + " bytes; a command may be at most " + ClientProtocol.MAX_COMMAND_BYTES
                        + " bytes");
                }
                return Files.readAllBytes(valueFile);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cli, "cannot read --value-file " + valueFile + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : oneLine(e)));
            }
        }
    }

    /** {@code client put KEY VALUE}. */
    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE.")
    static final class Put extends ValueCommand {
        @Parameters(index = "1", paramLabel = "VALUE", arity = "0..1")
        private String value;

        @Override
        public Integer call() {
            return parent.execute(spec.commandLine(), KvCommands.put(key, value(value)), false,
                r -> "OK" + previous(r), r -> r.status().toString());
        }
    }

    /** {@code client get KEY [--consistency C] [--node ID]}. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the value of KEY (exit 1 if it does not exist).")
    static final class Get extends KeyCommand {
        @Option(names = "--consistency", paramLabel = "C", defaultValue = "linearizable",
            description = "linearizable (ReadIndex, the default), lease (the leader's lease: trusts bounded clock drift),"
                + " serializable (what the node asked has applied: may be stale) or log (a log entry per read).")
        String consistency;

        @Option(names = "--node", paramLabel = "ID",
            description = "Ask node ID to serve the read itself (a follower read); default: the leader.")
        Integer node;

        @Override
        public Integer call() {
            final Consistency c;
            try {
                c = Consistency.parse(consistency);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--consistency: " + e.getMessage());
            }
            return parent.execute(spec.commandLine(), KvCommands.get(key), true,
                client -> node == null ? client.get(key, c, parent.timeout()) : client.getFrom(node, key, c, parent.timeout()),
                KvResult::valueText, r -> "not found: " + key);
        }
    }

    /** {@code client delete KEY}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY (exit 1 if it does not exist).")
    static final class Delete extends KeyCommand {

        @Override
        public Integer call() {
            return parent.execute(spec.commandLine(), KvCommands.delete(key), false, r -> "OK" + previous(r),
                r -> "not found: " + key);
        }
    }

    /** {@code client cas [--expect OLD] KEY NEW}. */
    @Command(name = "cas", mixinStandardHelpOptions = true,
        description = "Compare-and-set: set KEY to NEW if it holds --expect, or, without --expect, if it does not exist (exit 1 otherwise).")
    static final class Cas extends ValueCommand {
        @Option(names = "--expect", paramLabel = "OLD", description = "The value KEY must hold.")
        private String expect;
        @Parameters(index = "1", paramLabel = "NEW", arity = "0..1")
        private String value;

        @Override
        public Integer call() {
            return parent.execute(spec.commandLine(), KvCommands.compareAndSet(key,
                    expect == null ? null : expect.getBytes(StandardCharsets.UTF_8), value(value)), false,
                r -> "OK" + previous(r),
                r -> "CAS failed: " + (r.value().length == 0 && expect != null ? key + " does not exist"
                    : key + " holds '" + r.valueText() + "'"));
        }
    }

    /** {@code client incr KEY [DELTA]}. */
    @Command(name = "incr", mixinStandardHelpOptions = true,
        description = {"Add DELTA (default 1) to the counter KEY (absent = 0) and print the new value, exactly once:",
            "a retry after a lost answer carries the same session sequence (exit 1 if KEY holds no integer)."})
    static final class Incr extends KeyCommand {
        @Parameters(index = "1", paramLabel = "DELTA", arity = "0..1", defaultValue = "1")
        private long delta;

        @Override
        public Integer call() {
            return parent.execute(spec.commandLine(), KvCommands.increment(key, delta), false, KvResult::valueText,
                r -> "not a counter: " + key + " holds '" + r.valueText() + "' (or the sum would overflow)");
        }
    }

    /** {@code client status [--json]}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print each node's role, term, leader, last log, commit and applied index (exit 4 if none answers).")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        private ClientCommand parent;
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;
        @Option(names = "--json", description = "One JSON object per node and line.")
        private boolean json;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            final PrintWriter out = cli.getOut();
            int answered = 0;
            try (KvClient client = parent.connectOrReport(cli)) {
                if (client == null) {
                    return UNAVAILABLE;
                }
                final Map<Integer, Optional<KvClient.Response>> all =
                    client.statusOfAll(Duration.ofMillis(Math.min(parent.options.timeoutMillis, 2000)));
                if (!json) {
                    out.printf("%-4s %-22s %-13s %-5s %-6s %-8s %-9s %-8s%n", "node", "endpoint", "role", "term", "leader",
                        "last log", "committed", "applied");
                }
                for (Map.Entry<Integer, Optional<KvClient.Response>> e : all.entrySet()) {
                    final int id = e.getKey();
                    final String endpoint = client.endpoint(id);
                    if (e.getValue().isPresent()) {
                        answered++;
                    }
                    if (json) {
                        out.println(StatusJson.node(id, endpoint, e.getValue().orElse(null)));
                    } else if (e.getValue().isPresent()) {
                        final KvClient.Response m = e.getValue().get();
                        out.printf("%-4d %-22s %-13s %-5d %-6d %-8d %-9d %-8d%n", id, endpoint, m.role(), m.term(),
                            m.leaderId(), m.lastLogIndex(), m.committedIndex(), m.appliedIndex());
                    } else {
                        out.printf("%-4d %-22s %s%n", id, endpoint, "unreachable");
                    }
                }
            }
            out.flush();
            return answered > 0 ? OK : UNAVAILABLE;
        }
    }

    /** {@code client health}. */
    @Command(name = "health", mixinStandardHelpOptions = true,
        description = "Exit 0 if a leader exists and a quorum of --cluster answers, naming them; else exit 4 saying what is missing.")
    static final class Health implements Callable<Integer> {
        @CommandLine.ParentCommand
        private ClientCommand parent;
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            try (KvClient client = parent.connectOrReport(cli)) {
                if (client == null) {
                    return UNAVAILABLE;
                }
                final Map<Integer, Optional<KvClient.Response>> all =
                    client.statusOfAll(Duration.ofMillis(Math.min(parent.options.timeoutMillis, 2000)));
                final String verdict = StatusJson.health(all);
                final boolean healthy = verdict.startsWith("healthy");
                (healthy ? cli.getOut() : cli.getErr()).println(verdict);
                return healthy ? OK : UNAVAILABLE;
            }
        }
    }

    /** JSON and health text of status answers. */
    static final class StatusJson {
        private StatusJson() {
        }

        static String node(int id, String endpoint, KvClient.Response r) {
            final StringBuilder json = new StringBuilder("{\"node\":").append(id).append(",\"endpoint\":\"")
                .append(escape(endpoint)).append('"');
            if (r == null) {
                json.append(",\"reachable\":false}");
                return json.toString();
            }
            json.append(",\"reachable\":true,\"role\":\"").append(r.role()).append("\",\"term\":").append(r.term())
                .append(",\"leader\":").append(r.leaderId() == NodeId.NONE ? "null" : Integer.toString(r.leaderId()))
                .append(",\"lastLogIndex\":").append(r.lastLogIndex())
                .append(",\"committedIndex\":").append(r.committedIndex())
                .append(",\"appliedIndex\":").append(r.appliedIndex()).append('}');
            return json.toString();
        }

        private static String escape(String s) {
            final StringBuilder out = new StringBuilder();
            for (char c : s.toCharArray()) {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        /** "healthy: ..." when a leader answers as leader, a majority answers, and they agree on it; else why not. */
        static String health(Map<Integer, Optional<KvClient.Response>> all) {
            final int quorum = all.size() / 2 + 1;
            final long answered = all.values().stream().filter(Optional::isPresent).count();
            final Optional<KvClient.Response> leader = all.values().stream().flatMap(Optional::stream)
                .filter(r -> r.role() == Role.LEADER).max(java.util.Comparator.comparingLong(KvClient.Response::term));
            if (leader.isEmpty()) {
                return "unhealthy: no leader among the " + answered + " of " + all.size() + " nodes that answered";
            }
            final long agreeing = all.values().stream().flatMap(Optional::stream)
                .filter(r -> r.term() == leader.get().term() && (r.leaderId() == leader.get().nodeId()
                    || r.nodeId() == leader.get().nodeId())).count();
            if (agreeing < quorum) {
                return "unhealthy: leader " + leader.get().nodeId() + " (term " + leader.get().term() + ") is known to "
                    + agreeing + " of " + all.size() + " nodes, a quorum is " + quorum;
            }
            return "healthy: leader " + leader.get().nodeId() + " in term " + leader.get().term() + ", " + agreeing + " of "
                + all.size() + " nodes follow it (quorum " + quorum + ")";
        }
    }
}
