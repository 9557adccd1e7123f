package dev.raft.examples.metrics;

import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.examples.kv.KvNode;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.raft.storage.file.StorageStats;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Prometheus scrape endpoint of a {@code raftkv server} ({@code --metrics-port}): on each scrape, the node's
 * {@link RaftMetrics} (role, term, indexes, per-follower match and lag) and every counter of the node's media driver
 * (the framework's own, parsed from their labels, and the driver's system counters), through the Prometheus Java
 * client's registry and HTTP server. Nothing is computed between scrapes: rates are Prometheus's {@code rate()}.
 */
public final class ServerMetrics implements AutoCloseable {
    /** The upper bounds of the fsync histogram's buckets, in seconds (+Inf follows). */
    private static final double[] FSYNC_BUCKETS_SECONDS = {50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3,
        50e-3, 100e-3, 250e-3, 1.0};

    private final HTTPServer server;
    private final CncCounters counters;

    private ServerMetrics(HTTPServer server, CncCounters counters) {
        this.server = server;
        this.counters = counters;
    }

    /**
     * Serves {@code http://host:port/metrics} for {@code node}.
     *
     * @throws UncheckedIOException naming the address if it cannot be bound
     */
    public static ServerMetrics start(KvNode node, String host, int port) {
        final CncCounters counters = CncCounters.open(node.aeronDirectory());
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new Collector(node, counters));
        try {
            return new ServerMetrics(HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart(), counters);
        } catch (IOException e) {
            counters.close();
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The bound port. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
        counters.close();
    }

    /** Reads everything at scrape time. */
    private record Collector(KvNode node, CncCounters counters) implements MultiCollector {
        @Override
        public MetricSnapshots collect() {
            final List<MetricSnapshot> out = new ArrayList<>();
            final RaftMetrics m = node.metrics();
            final String id = Integer.toString(m.nodeId());
            final Labels node = Labels.of("node", id);
            out.add(gauge("raft_term", "The node's current term.", node, m.term()));
            out.add(gauge("raft_leader_id", "The leader the node knows of in its term, 0 if none.", node, m.leaderId()));
            out.add(gauge("raft_is_leader", "1 if the node is the leader.", node, m.isLeader() ? 1 : 0));
            final GaugeSnapshot.Builder role = GaugeSnapshot.builder().name("raft_role").help("1 for the node's role, 0 for the others.");
            for (Role r : Role.values()) {
                role.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(node.add("role", r.name()))
                    .value(m.role() == r ? 1 : 0).build());
            }
            out.add(role.build());
            out.add(gauge("raft_last_log_index", "The index of the node's last log entry.", node, m.lastLogId().index()));
            out.add(gauge("raft_commit_index", "The highest index known committed; rate() of it is the commit rate.", node, m.committedIndex()));
            out.add(gauge("raft_applied_index", "The highest index applied; rate() of it is the apply rate.", node, m.appliedIndex()));
            out.add(gauge("raft_snapshot_index", "The last index covered by the latest snapshot.", node, m.snapshotLastLogId().index()));
            out.add(gauge("raft_purged_index", "The last index purged from the log.", node, m.purgedLogId().index()));
            final GaugeSnapshot.Builder match = GaugeSnapshot.builder().name("raft_follower_match_index")
                .help("On the leader: each follower's matched index.");
            final GaugeSnapshot.Builder lag = GaugeSnapshot.builder().name("raft_follower_lag_entries")
                .help("On the leader: entries each follower is behind the leader's last log index.");
            for (Map.Entry<Integer, Long> e : new TreeMap<>(m.matchIndex()).entrySet()) {
                final Labels l = node.add("follower", Integer.toString(e.getKey()));
                match.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(e.getValue()).build());
                lag.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l)
                    .value(Math.max(0, m.lastLogId().index() - e.getValue())).build());
            }
            out.add(match.build());
            out.add(lag.build());
            out.add(fsyncHistogram(node, this.node.storageStats().snapshot()));
            out.addAll(CounterNames.engineSnapshots(m.counters(), id));
            out.addAll(CounterNames.snapshots(counters.read(), id));
            return new MetricSnapshots(out);
        }

        /** The log store's force (fsync) latency as a classic histogram; empty when the server runs --no-fsync. */
        private static HistogramSnapshot fsyncHistogram(Labels labels, StorageStats.Snapshot forces) {
            final double[] bounds = new double[FSYNC_BUCKETS_SECONDS.length + 1];
            final long[] counts = new long[bounds.length];
            long below = 0;
            for (int i = 0; i < FSYNC_BUCKETS_SECONDS.length; i++) {
                bounds[i] = FSYNC_BUCKETS_SECONDS[i];
                final long atOrBelow = forces.countAtOrBelow((long) (FSYNC_BUCKETS_SECONDS[i] * 1e9));
                counts[i] = atOrBelow - below;
                below = atOrBelow;
            }
            bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
            counts[counts.length - 1] = forces.count() - below;
            return HistogramSnapshot.builder().name("raft_log_fsync_seconds")
                .help("How long each group-commit force (fsync) of the log store took.")
                .dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                    .sum(forces.totalNanos() / 1e9).build())
                .build();
        }

        private static GaugeSnapshot gauge(String name, String help, Labels labels, double value) {
            return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build()).build();
        }
    }
}
