package dev.raft.examples;

import dev.raft.examples.fault.ServerFaultInjection;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.DurabilityMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code raftkv server}: one node of a real (multi-host) cluster, serving clients until SIGINT/SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = {"Run one node of a raftkv cluster until SIGINT or SIGTERM.",
        "Raft traffic uses each node's host:port (Aeron UDP); clients are served on port + 1 of the same host."})
final class ServerCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, description = "This node's id (a key of --peers).")
    private int id;

    @Option(names = "--peers", required = true, paramLabel = "1=host:port,2=host:port,...",
        description = "Every member's Raft endpoint, this node's included.")
    private String peers;

    @Option(names = "--dir", required = true, description = "The data directory (log, snapshots, identity file).")
    private Path dir;

    @Option(names = "--cluster-id", defaultValue = "1", description = "The cluster id stamped on every frame (default: ${DEFAULT-VALUE}).")
    private int clusterId;

    @Option(names = "--aeron-dir", description = "The embedded media driver's directory (default: under /dev/shm, per process).")
    private String aeronDir;

    @Option(names = "--no-fsync", description = "Do not force appends to disk (survives a process crash, not a machine crash).")
    private boolean noFsync;

    @Option(names = "--fault-control", paramLabel = "PORT", description = "TESTING ONLY: lose Raft messages as told by "
        + "requests on a UDP control socket on 127.0.0.1:PORT (see the package dev.raft.examples.fault).")
    private Integer faultControlPort;

    @Override
    public Integer call() {
        final CommandLine cli = spec.commandLine();
        final Map<Integer, String> endpoints = Endpoints.parse(cli, "--peers", peers);
        if (!endpoints.containsKey(id)) {
            throw new CommandLine.ParameterException(cli, "--id " + id + " is not one of the --peers ids " + endpoints.keySet());
        }
        if (clusterId < 0) {
            throw new CommandLine.ParameterException(cli, "--cluster-id must be >= 0, got " + clusterId);
        }
        final KvNode.Options options = new KvNode.Options(clusterId, id, endpoints, dir, aeronDir,
            noFsync ? DurabilityMode.NO_FSYNC : DurabilityMode.FSYNC, null);
        final PrintWriter out = cli.getOut();
        // the barrier's shutdown hook waits for its close(): close it last, after the node stopped, also on failure
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier()) {
            try (ServerFaultInjection faults = ServerFaultInjection.controlledOn(faultControlPort);
                 KvNode node = KvNode.start(options, faults);
                 ClientService clients = new ClientService(node, ClientService.clientEndpoint(endpoints.get(id))).start()) {
                out.println("raftkv server: node " + id + " of cluster " + clusterId + " (members " + endpoints.keySet()
                    + ") serving; Raft on " + endpoints.get(id) + ", clients on " + clients.endpoint() + ", data in " + dir
                    + faults.describe());
                out.flush();
                barrier.await();
                out.println("raftkv server: node " + id + " stopping");
                out.flush();
            }
        }
        return 0;
    }
}
