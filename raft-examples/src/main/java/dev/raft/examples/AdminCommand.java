package dev.raft.examples;

import dev.raft.examples.kv.AdminRequests;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv admin}: reads and changes a running cluster's membership, and moves its leadership, through the
 * client protocol (authenticated with the client key when the servers have one). Each subcommand prints the
 * resulting configuration in one line, or one line on stderr and the exit codes of {@code raftkv client}: 2 usage,
 * 3 outcome unknown (the change may still complete: run {@code members}), 4 not applied (refused, or no leader).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = {"Change a raftkv cluster's membership or move its leadership; each prints the resulting configuration.",
        "Replace a node: start the new one with 'raftkv server --join', then add-learner, promote, remove the old id.",
        "Exit codes: 0 done, 2 usage, 3 outcome unknown (run 'members'), 4 not applied (refused, or no leader)."},
    subcommands = {AdminCommand.Members.class, AdminCommand.AddLearner.class, AdminCommand.Promote.class,
        AdminCommand.Remove.class, AdminCommand.Transfer.class})
final class AdminCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    final ClusterOptions options = new ClusterOptions();

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "an admin command is required: members, add-learner, promote, remove or transfer");
    }

    /** Sends one request to the leader, prints the outcome in one line, returns the exit code. */
    int execute(CommandLine cli, byte[] request, boolean readOnly) {
        final KvClient client;
        try {
            // a change takes a few round trips: give a busy leader two seconds of silence before taking it as gone
            client = options.connect(cli, b -> b.suspectAfter(Duration.ofSeconds(2)));
        } catch (ClientCommand.ClientStartException e) {
            cli.getErr().println("raftkv admin: " + e.getMessage());
            return ClientCommand.UNAVAILABLE;
        }
        try (client) {
            final KvOutcome outcome;
            try {
                outcome = client.admin(request, readOnly, Duration.ofMillis(options.timeoutMillis));
            } catch (RuntimeException e) {
                cli.getErr().println("raftkv admin: " + (readOnly ? "not applied" : "outcome unknown")
                    + ": the client failed: " + ClientCommand.oneLine(e));
                return readOnly ? ClientCommand.UNAVAILABLE : ClientCommand.UNKNOWN;
            }
            if (outcome instanceof KvOutcome.Ok ok) {
                final AdminRequests.Result result;
                try {
                    result = AdminRequests.decodeResult(ok.result().value());
                } catch (IllegalArgumentException e) {
                    cli.getErr().println("raftkv admin: node " + ok.nodeId() + " answered something else than a"
                        + " configuration (another version?): " + e.getMessage());
                    return ClientCommand.UNKNOWN;
                }
                cli.getOut().println(result.describe());
                return ClientCommand.OK;
            }
            if (outcome instanceof KvOutcome.Unknown unknown) {
                cli.getErr().println("raftkv admin: outcome unknown: " + unknown.message());
                return ClientCommand.UNKNOWN;
            }
            cli.getErr().println("raftkv admin: not applied: " + outcome.describe());
            return ClientCommand.UNAVAILABLE;
        }
    }

    /** A subcommand: the parent's connection options and the spec. */
    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        AdminCommand parent;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        int send(AdminRequests.Op op, int nodeId, long expectedConfigIndex, String endpoint) {
            if (op != AdminRequests.Op.MEMBERS && nodeId <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "node ids must be > 0, got " + nodeId);
            }
            return parent.execute(spec.commandLine(), AdminRequests.request(op, nodeId, expectedConfigIndex, endpoint),
                op == AdminRequests.Op.MEMBERS);
        }
    }

    /** A change that may be made conditional on the configuration it was meant for. */
    abstract static class Change extends Sub {
        @Option(names = "--id", required = true, description = "The node.")
        int id;
        @Option(names = "--expect-config-index", paramLabel = "INDEX", defaultValue = "-1",
            description = "Refuse unless the configuration in force is the one at this log index ('members' prints it).")
        long expectedConfigIndex;
    }

    /** {@code admin members}. */
    @Command(name = "members", mixinStandardHelpOptions = true, description = "Print the configuration in force on the leader.")
    static final class Members extends Sub {
        @Override
        public Integer call() {
            return send(AdminRequests.Op.MEMBERS, 0, AdminRequests.ANY_CONFIG_INDEX, null);
        }
    }

    /** {@code admin add-learner --id N --endpoint host:port}. */
    @Command(name = "add-learner", mixinStandardHelpOptions = true,
        description = "Add node N, listening at host:port (its server started with --join), as a learner: it gets the log, never votes.")
    static final class AddLearner extends Sub {
        @Option(names = "--id", required = true, description = "The new node's id.")
        int id;
        @Option(names = "--endpoint", required = true, paramLabel = "host:port", description = "The new node's Raft endpoint (its --peers entry).")
        String endpoint;

        @Override
        public Integer call() {
            return send(AdminRequests.Op.ADD_LEARNER, id, AdminRequests.ANY_CONFIG_INDEX, endpoint);
        }
    }

    /** {@code admin promote --id N}. */
    @Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make learner N a voter (by joint consensus), once its log is close enough to the leader's.")
    static final class Promote extends Change {
        @Override
        public Integer call() {
            return send(AdminRequests.Op.PROMOTE, id, expectedConfigIndex, null);
        }
    }

    /** {@code admin remove --id N}. */
    @Command(name = "remove", mixinStandardHelpOptions = true,
        description = "Remove voter or learner N (by joint consensus); a removed leader steps down once it is committed.")
    static final class Remove extends Change {
        @Override
        public Integer call() {
            return send(AdminRequests.Op.REMOVE, id, expectedConfigIndex, null);
        }
    }

    /** {@code admin transfer --to N}. */
    @Command(name = "transfer", mixinStandardHelpOptions = true, description = "Hand the leadership to voter N.")
    static final class Transfer extends Sub {
        @Option(names = "--to", required = true, description = "The voter to lead.")
        int to;

        @Override
        public Integer call() {
            return send(AdminRequests.Op.TRANSFER, to, AdminRequests.ANY_CONFIG_INDEX, null);
        }
    }
}
