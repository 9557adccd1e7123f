package dev.raft.examples;

import dev.raft.examples.kv.ClientAuthenticator;
import dev.raft.examples.kv.KvClient;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How {@code raftkv client} and {@code raftkv admin} reach a cluster: the flags they share (inherited by their subcommands). */
final class ClusterOptions {
    @Option(names = "--cluster", required = true, scope = CommandLine.ScopeType.INHERIT,
        paramLabel = "1=host:port,2=host:port,...", description = "Every node's Raft endpoint, as given to the servers' --peers.")
    String cluster;

    @Option(names = "--timeout-ms", defaultValue = "10000", scope = CommandLine.ScopeType.INHERIT,
        description = "How long to look for a leader and wait for its answer (default: ${DEFAULT-VALUE}).")
    long timeoutMillis;

    @Option(names = "--reply-host", scope = CommandLine.ScopeType.INHERIT,
        description = "The IP address servers answer to (default: the local address that reaches the first node); "
            + "servers answer only on the host a request came from.")
    String replyHost;

    @Option(names = "--aeron-dir", scope = CommandLine.ScopeType.INHERIT,
        description = "Use the running media driver in this directory instead of starting an embedded one.")
    String aeronDir;

    @Option(names = "--own-driver", scope = CommandLine.ScopeType.INHERIT,
        description = "Always start an embedded media driver. Without it (and without --aeron-dir), the media driver of "
            + "a raftkv server running on this machine is used if there is one (faster; the call then fails if that "
            + "server stops during it).")
    boolean ownDriver;

    @Option(names = "--client-key-file", scope = CommandLine.ScopeType.INHERIT,
        description = "The servers' client key (mode 600): requests are tagged with it, untagged answers ignored.")
    Path clientKeyFile;

    /**
     * A client of the nodes of {@code --cluster}.
     *
     * @throws CommandLine.ParameterException for a bad flag (exit 2)
     * @throws ClientCommand.ClientStartException if the client cannot start (reported as unavailable)
     */
    KvClient connect(CommandLine cli) {
        return connect(cli, b -> b);
    }

    /** {@link #connect(CommandLine)} with more client settings. */
    KvClient connect(CommandLine cli, java.util.function.UnaryOperator<KvClient.Builder> settings) {
        final Map<Integer, String> endpoints = Endpoints.parse(cli, "--cluster", cluster);
        if (timeoutMillis < 1) {
            throw new CommandLine.ParameterException(cli, "--timeout-ms must be >= 1, got " + timeoutMillis);
        }
        final KvClient.Builder builder = KvClient.builder(endpoints).replyHost(replyHost).aeronDirectory(aeronDir)
            .shareRunningDriver(!ownDriver);
        if (clientKeyFile != null) {
            try {
                builder.authenticator(ClientAuthenticator.fromFile(clientKeyFile));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, e.getMessage());
            }
        }
        try {
            return settings.apply(builder).build();
        } catch (RuntimeException e) {
            throw new ClientCommand.ClientStartException("cannot start the client"
                + (aeronDir != null ? " on the media driver in " + aeronDir : "") + ": " + ClientCommand.oneLine(e));
        }
    }
}
