package dev.raft.examples;

import dev.raft.examples.config.ServerSettings;
import dev.raft.examples.config.SettingsException;
import dev.raft.examples.fault.ServerFaultInjection;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.server.ExitCode;
import dev.raft.examples.server.Failure;
import dev.raft.examples.metrics.ServerMetrics;
import dev.raft.examples.server.StartupChecks;
import dev.raft.storage.file.DurabilityMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code raftkv server}: one node of a real (multi-host) cluster, serving clients until SIGINT/SIGTERM, or until the
 * node fails; every fatal error is one line on stderr and a documented {@link ExitCode}.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run one node of a raftkv cluster until SIGINT or SIGTERM.",
        "Raft traffic uses each node's host:port (Aeron UDP); clients are served on port + 1 of the same host.",
        "Settings: defaults, then --config FILE (java.util.Properties), then flags; 'raftkv info' prints every key.",
        "Exit codes: 130/143 stopped by SIGINT/SIGTERM, 2 usage (a bad flag), 65 corrupt data, 69 port in use, 70 node failed",
        "(74 if by an I/O error, e.g. disk full), 73 data directory locked or",
        "another node's, 74 I/O error (e.g. disk full), 77 permission denied, 78 invalid config file."})
final class ServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    private SettingsOptions settingsOptions = new SettingsOptions();

    /** The settings flags shared by {@code server} and {@code info}. */
    static final class SettingsOptions {
        @Option(names = "--config", paramLabel = "FILE", description = "A java.util.Properties file of settings (keys: raftkv info).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any setting, e.g. --set raft.maxInflightAppends=32 (repeatable).")
        Map<String, String> set = new java.util.LinkedHashMap<>();

        @Option(names = "--id", description = "This node's id, a key of --peers (node.id).")
        String id;

        @Option(names = "--peers", paramLabel = "1=host:port,2=host:port,...", description = "Every member's Raft endpoint, this node's included (peers).")
        String peers;

        @Option(names = "--dir", description = "The data directory: log, snapshots, identity file (data.dir).")
        String dir;

        @Option(names = "--cluster-id", description = "The cluster id stamped on every frame (cluster.id, default 1).")
        String clusterId;

        @Option(names = "--aeron-dir", description = "The embedded media driver's directory (transport.aeronDirectory).")
        String aeronDir;

        @Option(names = "--key-file", paramLabel = "FILE", description = "Authenticate every frame with the keys in FILE (transport.keyFile; see the README's security section).")
        String keyFile;

        @Option(names = "--no-fsync", description = "Do not force appends to disk: survives a process crash, not a machine crash (storage.durabilityMode=NO_FSYNC).")
        boolean noFsync;

        @Option(names = "--election-timeout-ms", paramLabel = "MIN-MAX", description = "Randomized election timeout range, e.g. 1000-2000 on a loaded machine (raft.electionTimeoutMinMillis/MaxMillis).")
        String electionTimeout;

        @Option(names = "--heartbeat-ms", description = "Leader heartbeat interval, below the election timeout's minimum (raft.heartbeatIntervalMillis).")
        String heartbeat;

        @Option(names = "--snapshot-every", paramLabel = "ENTRIES", description = "Build a snapshot every this many applied entries, 0 never (raft.snapshotEveryAppliedEntries).")
        String snapshotEvery;

        @Option(names = "--segment-size", paramLabel = "SIZE", description = "Log segment size, e.g. 4MiB, 64MiB (storage.segmentSizeBytes).")
        String segmentSize;

        @Option(names = "--preallocate", paramLabel = "true|false", description = "Preallocate segment files with zeros (storage.preallocate).")
        String preallocate;

        @Option(names = "--metrics-port", description = "Serve Prometheus metrics on this port (metrics.port; 0, the default: off).")
        String metricsPort;

        @Option(names = "--log-level", paramLabel = "LEVEL", description = "error, warn, info (default), debug (stack traces), trace (log.level).")
        String logLevel;

        /** Defaults, then the config file, then the flags. */
        ServerSettings resolve() {
            final ServerSettings s = ServerSettings.defaults();
            if (config != null) {
                s.load(config);
            }
            set.forEach((k, v) -> s.set(k, v, "flag --set"));
            flag(s, ServerSettings.NODE_ID, id, "--id");
            flag(s, ServerSettings.PEERS, peers, "--peers");
            flag(s, ServerSettings.DATA_DIR, dir, "--dir");
            flag(s, ServerSettings.CLUSTER_ID, clusterId, "--cluster-id");
            flag(s, "transport.aeronDirectory", aeronDir, "--aeron-dir");
            flag(s, "transport.keyFile", keyFile, "--key-file");
            if (noFsync) {
                flag(s, "storage.durabilityMode", DurabilityMode.NO_FSYNC.name(), "--no-fsync");
            }
            if (electionTimeout != null) {
                final String[] range = electionTimeout.split("-", 2);
                if (range.length != 2) {
                    throw new SettingsException("--election-timeout-ms '" + electionTimeout + "' is not MIN-MAX, e.g. 300-600");
                }
                flag(s, "raft.electionTimeoutMinMillis", range[0], "--election-timeout-ms");
                flag(s, "raft.electionTimeoutMaxMillis", range[1], "--election-timeout-ms");
            }
            flag(s, "raft.heartbeatIntervalMillis", heartbeat, "--heartbeat-ms");
            flag(s, "raft.snapshotEveryAppliedEntries", snapshotEvery, "--snapshot-every");
            flag(s, "storage.segmentSizeBytes", segmentSize, "--segment-size");
            flag(s, "storage.preallocate", preallocate, "--preallocate");
            flag(s, ServerSettings.METRICS_PORT, metricsPort, "--metrics-port");
            flag(s, ServerSettings.LOG_LEVEL, logLevel, "--log-level");
            return s;
        }

        private static void flag(ServerSettings s, String key, String value, String flag) {
            if (value != null) {
                s.set(key, value, "flag " + flag);
            }
        }
    }

    @Option(names = "--client-key-file", description = "Accept only client requests tagged with this client key (not the"
        + " cluster key; the key-file format of --key-file: 64 hexadecimal digits per line, mode 600): others are dropped and counted.")
    private Path clientKeyFile;

    @Option(names = "--join", description = "Start as a new node of a running cluster: with no membership of its own, it"
        + " never campaigns and waits until the leader adds it ('raftkv admin add-learner'). --peers names this node and"
        + " at least one node of the cluster. Use an empty --dir.")
    private boolean join;

    @Option(names = "--fault-control", paramLabel = "PORT", description = "TESTING ONLY: lose Raft messages as told by "
        + "requests on a UDP control socket on 127.0.0.1:PORT (see the package dev.raft.examples.fault).")
    private Integer faultControlPort;

    @Override
    public Integer call() {
        final CommandLine cli = spec.commandLine();
        final PrintWriter out = cli.getOut();
        final PrintWriter err = cli.getErr();
        final ServerPlan plan;
        try {
            plan = ServerPlan.of(settingsOptions.resolve(), join);
        } catch (SettingsException e) {
            if (e.usage()) {
                throw new CommandLine.ParameterException(cli, e.getMessage());   // picocli: the reason and the usage, exit 2
            }
            return fail(err, Failure.of(e, null), e, false);
        } catch (RuntimeException e) {
            return fail(err, Failure.of(e, null), e, false);
        }
        RaftKv.configureLogging(plan.settings().logLevel());
        final boolean debug = plan.settings().logLevel().matches("debug|trace");
        try {
            StartupChecks.checkSpace(plan.options().dataDir(), plan.storage());
        } catch (RuntimeException e) {
            return fail(err, Failure.of(e, plan.options().dataDir()), e, debug);
        }
        // the barrier's shutdown hook waits for its close(): close it last, after the node stopped, also on failure
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier()) {
            final List<AutoCloseable> open = new ArrayList<>();
            try {
                final ServerFaultInjection faults = ServerFaultInjection.controlledOn(faultControlPort);
                open.add(faults);
                final KvNode node = KvNode.start(plan.options(), faults);
                open.add(node);
                final ClientService clients = new ClientService(node,
                    ClientService.clientEndpoint(plan.options().endpoints().get(plan.options().nodeId())),
                    ClientService.Settings.withKeyFile(clientKeyFile)).start();
                open.add(0, clients);
                final int metricsPort = plan.settings().metricsPort();
                String metricsLine = "";
                if (metricsPort > 0) {
                    final ServerMetrics metrics = ServerMetrics.start(node, plan.settings().metricsHost(), metricsPort);
                    open.add(0, metrics);
                    metricsLine = ", metrics on http://" + plan.settings().metricsHost() + ":" + metrics.port() + "/metrics";
                }
                // fail-stop: the node completes terminated() with the fatal error that stopped it
                final AtomicReference<Failure> failed = new AtomicReference<>();
                node.raft().terminated().thenAccept(cause -> {
                    if (cause != null) {
                        failed.set(Failure.ofNodeFailure(node.id(), cause, plan.options().dataDir()));
                        barrier.signal();
                    }
                });
                out.println("raftkv server: node " + node.id() + " of cluster " + plan.options().clusterId()
                    + (join ? " (joining: waiting to be added by the leader)" : " (members " + plan.options().endpoints().keySet() + ")")
                    + " serving; Raft on " + plan.options().endpoints().get(node.id())
                    + ", clients on " + clients.endpoint() + metricsLine + ", data in " + plan.options().dataDir()
                    + faults.describe());
                out.flush();
                barrier.await();
                if (failed.get() != null) {
                    closeAll(open);
                    return fail(err, failed.get(), node.raft().terminated().getNow(null), debug);
                }
                out.println("raftkv server: node " + node.id() + " stopping");
                out.flush();
                closeAll(open);
                return ExitCode.OK.code();
            } catch (RuntimeException e) {
                closeAll(open);
                return fail(err, Failure.of(e, plan.options().dataDir()), e, debug);
            }
        }
    }

    private static void closeAll(List<AutoCloseable> open) {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing after a failure or on shutdown: the first error is the one reported
            }
        }
        open.clear();
    }

    private static int fail(PrintWriter err, Failure failure, Throwable cause, boolean debug) {
        err.println("raftkv server: " + failure.line());
        if (debug && cause != null) {
            cause.printStackTrace(err);
        }
        err.flush();
        return failure.exitCode().code();
    }
}
