package dev.raft.examples;

import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.examples.bench.BenchOptions;
import dev.raft.examples.bench.BenchResult;
import dev.raft.examples.bench.ClusterLoad;
import dev.raft.examples.bench.EchoStateMachine;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.DurabilityMode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.CloseHelper;

/**
 * The cluster benchmark's cluster: 3 nodes in this process on 127.0.0.1, each with its own embedded media driver
 * (Aeron UDP between them), file storage in a temporary directory, the {@link EchoStateMachine}, and a
 * {@link ClientService} on every node for the client; then {@link ClusterLoad} drives it. Everything is closed
 * and removed at the end, also on failure.
 */
final class Bench {
    private Bench() {
    }

    /** What a test may do to the cluster while the load runs (on a thread of its own). */
    interface SideJob {
        /**
         * @param leaderId the leader when the load starts
         * @param crash    stops a node and its client service, as if its process died
         */
        void run(int leaderId, java.util.function.IntConsumer crash) throws Exception;
    }

    /** The longest park of the nodes' media drivers when idle: the reference peer's ({@code --max-park-us 100}). */
    static final long DRIVER_MAX_PARK_MICROS = 100;
    /**
     * The Raft timing of the benchmark's cluster: the setting this README gives for a loaded machine (election timeout
     * 1-2 s, heartbeat 100 ms), since the benchmark keeps both cores busy. With the defaults (150-300 ms) one 1 KiB
     * throughput run in five changed leader after a 593 ms stall on this 2-core machine; the reference peer runs with
     * Aeron Cluster's default leader heartbeat timeout of 10 s.
     */
    static final long ELECTION_TIMEOUT_MIN_MILLIS = 1000;
    static final long ELECTION_TIMEOUT_MAX_MILLIS = 2000;
    static final long HEARTBEAT_MILLIS = 100;

    static BenchResult run(BenchOptions options, PrintWriter out) throws Exception {
        return run(options, out, null);
    }

    static BenchResult run(BenchOptions options, PrintWriter out, SideJob sideJob) throws Exception {
        return run(options, out, sideJob, null);
    }

    /** A run whose cluster frames are authenticated with the keys in {@code keyFile} (null: not authenticated). */
    static BenchResult run(BenchOptions options, PrintWriter out, SideJob sideJob, Path keyFile) throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-bench-");
        final List<KvNode> nodes = new ArrayList<>();
        final List<ClientService> services = new ArrayList<>();
        try {
            final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(3);
            final int clusterId = ThreadLocalRandom.current().nextInt(1, 1 << 30);
            final long startNanos = System.nanoTime();
            for (Map.Entry<Integer, String> e : endpoints.entrySet()) {
                final KvNode node = KvNode.start(new KvNode.Options(clusterId, e.getKey(), endpoints,
                    dir.resolve("node-" + e.getKey()), null, options.fsync() ? DurabilityMode.FSYNC : DurabilityMode.NO_FSYNC,
                    r -> r.electionTimeoutMillis(ELECTION_TIMEOUT_MIN_MILLIS, ELECTION_TIMEOUT_MAX_MILLIS)
                        .heartbeatIntervalMillis(HEARTBEAT_MILLIS),
                    null, b -> {
                        // the reference peer's drivers idle with BackoffIdleStrategy(10, 20, 1 us, 100 us): so do ours here
                        b.maxParkMicros(DRIVER_MAX_PARK_MICROS);
                        return keyFile == null ? b : b.keyFile(keyFile);
                    }), new EchoStateMachine());
                nodes.add(node);
                if (options.client() == BenchOptions.Client.AERON) {
                    services.add(new ClientService(node, ClientService.clientEndpoint(e.getValue())).start());
                }
            }
            final RaftMetrics leader = Demo.awaitLeader(nodes, 0);
            out.printf(Locale.ROOT, "3 nodes on 127.0.0.1 (%s, election timeout %d-%d ms, heartbeat %d ms), data in %s; "
                    + "leader elected: node %d in term %d after %.0f ms%n", endpoints.values(), ELECTION_TIMEOUT_MIN_MILLIS,
                ELECTION_TIMEOUT_MAX_MILLIS, HEARTBEAT_MILLIS, dir, leader.nodeId(), leader.term(),
                (System.nanoTime() - startNanos) / 1e6);
            final Map<Integer, RaftNode> rafts = new TreeMap<>();
            nodes.forEach(n -> rafts.put(n.id(), n.raft()));
            final Thread side = sideJob == null ? null : new Thread(() -> {
                try {
                    sideJob.run(leader.nodeId(), id -> {
                        services.stream().filter(c -> c.endpoint().equals(ClientService.clientEndpoint(endpoints.get(id))))
                            .forEach(CloseHelper::quietClose);
                        nodes.get(id - 1).close();
                    });
                } catch (Exception e) {
                    out.println("side job failed: " + e);
                }
            }, "bench-side-job");
            if (side != null) {
                side.start();
            }
            try {
                final Map<Integer, String> driverDirs = new TreeMap<>();
                nodes.forEach(n -> driverDirs.put(n.id(), n.aeronDirectory()));
                return ClusterLoad.drive(options, endpoints, rafts, leader.nodeId(), leader.term(), driverDirs, out);
            } finally {
                if (side != null) {
                    side.join();
                }
            }
        } finally {
            services.forEach(CloseHelper::quietClose);
            nodes.forEach(CloseHelper::quietClose);
            Demo.deleteTree(dir);
        }
    }
}
