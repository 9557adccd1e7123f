package dev.raft.examples;

import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.kv.KvResult;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code raftkv client}: talks to a running cluster over Aeron UDP. */
@Command(name = "client", mixinStandardHelpOptions = true,
    description = {"Send one command to a raftkv cluster (its servers' client endpoints: Raft port + 1).",
        "Commands go to the leader (NOT_LEADER answers are followed); reads go through the Raft log",
        "(linearizable, one log entry each; ReadIndex reads come later)."},
    subcommands = {ClientCommand.Put.class, ClientCommand.Get.class, ClientCommand.Delete.class, ClientCommand.Cas.class,
        ClientCommand.Status.class})
final class ClientCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--cluster", required = true, scope = CommandLine.ScopeType.INHERIT,
        paramLabel = "1=host:port,2=host:port,...", description = "Every node's Raft endpoint, as given to the servers' --peers.")
    private String cluster;

    @Option(names = "--timeout-ms", defaultValue = "10000", scope = CommandLine.ScopeType.INHERIT,
        description = "How long to look for a leader (default: ${DEFAULT-VALUE}).")
    private long timeoutMillis;

    @Option(names = "--reply-host", scope = CommandLine.ScopeType.INHERIT,
        description = "The address servers answer to (default: the local address that reaches the first node).")
    private String replyHost;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a client command is required: put, get, delete, cas or status");
    }

    KvClient connect(CommandLine cli) {
        final Map<Integer, String> endpoints = Endpoints.parse(cli, "--cluster", cluster);
        if (timeoutMillis < 1) {
            throw new CommandLine.ParameterException(cli, "--timeout-ms must be >= 1, got " + timeoutMillis);
        }
        return new KvClient(endpoints, replyHost);
    }

    /** Runs a command on the leader, prints its outcome, returns the exit code. */
    int execute(CommandLine cli, byte[] command, java.util.function.Function<KvResult, String> ok,
                java.util.function.Function<KvResult, String> failed) throws Exception {
        try (KvClient client = connect(cli)) {
            final KvClient.Response r = client.execute(command, Duration.ofMillis(timeoutMillis));
            if (r.code() != KvClient.Response.Code.OK || r.result() == null) {
                cli.getErr().println("error from node " + r.nodeId() + ": " + r.message());
                return 1;
            }
            final KvResult result = r.result();
            if (result.status() == KvResult.Status.OK) {
                cli.getOut().println(ok.apply(result));
                return 0;
            }
            cli.getErr().println(failed.apply(result));
            return 1;
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

    /** {@code client put KEY VALUE}. */
    @Command(name = "put", mixinStandardHelpOptions = true, description = "Set KEY to VALUE.")
    static final class Put extends KeyCommand {
        @Parameters(index = "1", paramLabel = "VALUE")
        private String value;

        @Override
        public Integer call() throws Exception {
            return parent.execute(spec.commandLine(), KvCommands.put(key, value.getBytes(StandardCharsets.UTF_8)),
                r -> "OK" + previous(r), r -> r.status().toString());
        }
    }

    /** {@code client get KEY}. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print the value of KEY (exit 1 if it does not exist).")
    static final class Get extends KeyCommand {

        @Override
        public Integer call() throws Exception {
            return parent.execute(spec.commandLine(), KvCommands.get(key), KvResult::valueText,
                r -> "not found: " + key);
        }
    }

    /** {@code client delete KEY}. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove KEY (exit 1 if it does not exist).")
    static final class Delete extends KeyCommand {

        @Override
        public Integer call() throws Exception {
            return parent.execute(spec.commandLine(), KvCommands.delete(key), r -> "OK" + previous(r),
                r -> "not found: " + key);
        }
    }

    /** {@code client cas [--expect OLD] KEY NEW}. */
    @Command(name = "cas", mixinStandardHelpOptions = true,
        description = "Compare-and-set: set KEY to NEW if it holds --expect, or, without --expect, if it does not exist (exit 1 otherwise).")
    static final class Cas extends KeyCommand {
        @Option(names = "--expect", paramLabel = "OLD", description = "The value KEY must hold.")
        private String expect;
        @Parameters(index = "1", paramLabel = "NEW")
        private String value;

        @Override
        public Integer call() throws Exception {
            return parent.execute(spec.commandLine(), KvCommands.compareAndSet(key,
                    expect == null ? null : expect.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)),
                r -> "OK" + previous(r),
                r -> "CAS failed: " + (r.value().length == 0 && expect != null ? key + " does not exist"
                    : key + " holds '" + r.valueText() + "'"));
        }
    }

    /** {@code client status}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print each node's role, term, leader, last log, commit and applied index (exit 1 if none answers).")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        private ClientCommand parent;
        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            final CommandLine cli = spec.commandLine();
            final PrintWriter out = cli.getOut();
            int answered = 0;
            try (KvClient client = parent.connect(cli)) {
                out.printf("%-4s %-22s %-13s %-5s %-6s %-8s %-9s %-8s%n", "node", "endpoint", "role", "term", "leader",
                    "last log", "committed", "applied");
                for (int id : client.nodeIds()) {
                    final Optional<KvClient.Response> r = client.status(id, Duration.ofMillis(Math.min(parent.timeoutMillis, 2000)));
                    if (r.isPresent()) {
                        final KvClient.Response m = r.get();
                        answered++;
                        out.printf("%-4d %-22s %-13s %-5d %-6d %-8d %-9d %-8d%n", id, client.endpoint(id), m.role(), m.term(),
                            m.leaderId(), m.lastLogIndex(), m.committedIndex(), m.appliedIndex());
                    } else {
                        out.printf("%-4d %-22s %s%n", id, client.endpoint(id), "unreachable");
                    }
                }
            }
            out.flush();
            return answered > 0 ? 0 : 1;
        }
    }
}
