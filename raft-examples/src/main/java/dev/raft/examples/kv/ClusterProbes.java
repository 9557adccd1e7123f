package dev.raft.examples.kv;

import dev.raft.examples.internal.codec.RequestKind;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a {@link KvClient} finds out who leads: status probes to every node (at most one a node per probe interval,
 * whichever thread sends them), waits for the {@link ClusterView} to learn something new, status requests whose
 * answers are returned, and the leader the answers name. Thread-safe.
 */
final class ClusterProbes {
    private static final byte[] NO_COMMAND = new byte[0];
    private static final long PROBE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final Map<Integer, String> cluster;
    private final ClientChannels channels;
    private final ClusterView view;
    private final long probeIntervalNanos;
    private final Map<Integer, Long> lastProbeNanos = new ConcurrentHashMap<>();
    /** When {@link #probe} last looked at the nodes: it looks at most every {@link #PROBE_CHECK_NANOS}. */
    private final AtomicLong lastProbeCheckNanos = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(1));

    /**
     * Probes for the nodes whose Raft endpoints are {@code cluster} (by id), each at most every
     * {@code probeIntervalNanos}.
     */
    ClusterProbes(Map<Integer, String> cluster, ClientChannels channels, ClusterView view, long probeIntervalNanos) {
        this.cluster = cluster;
        this.channels = channels;
        this.view = view;
        this.probeIntervalNanos = probeIntervalNanos;
    }

    /** Probes every node and waits until an answer arrives or a probe interval passes. */
    void awaitNews(long deadline, IdleStrategy idle) {
        final long version = view.version();
        final long until = Math.min(deadline, System.nanoTime() + probeIntervalNanos);
        idle.reset();
        while (true) {
            final long now = System.nanoTime();
            probe(now);
            if (view.version() != version || now - until >= 0) {
                return;
            }
            idle.idle(channels.poll());
        }
    }

    /** Sends a status probe to every node not probed within the probe interval (nodes not connected yet: next time). */
    void probe(long now) {
        final long checked = lastProbeCheckNanos.get();
        if (now - checked < PROBE_CHECK_NANOS || !lastProbeCheckNanos.compareAndSet(checked, now)) {
            return; // another thread probes, or did so just now
        }
        for (Map.Entry<Integer, String> node : view.endpoints()) {
            final Long last = lastProbeNanos.get(node.getKey());
            if (last != null && now - last < probeIntervalNanos) {
                continue;
            }
            final long probeId = channels.newProbeId();
            if (channels.send(node.getValue(), probeId, RequestKind.STATUS, NO_COMMAND) == ClientChannels.Sent.SENT) {
                lastProbeNanos.put(node.getKey(), now);
                view.onProbeSent(node.getKey(), probeId, now);
            }
        }
    }

    /** Asks the nodes {@code ids} for their status, in parallel; returns the answers received within {@code timeout}. */
    Map<Integer, KvClient.Response> statusOf(List<Integer> ids, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final Map<Integer, ClientChannels.Call> calls = new LinkedHashMap<>();
        final Map<Integer, KvClient.Response> answers = new TreeMap<>();
        final IdleStrategy idle = ClientChannels.newIdle();
        try {
            for (int id : ids) {
                calls.put(id, channels.newCall());
            }
            final Map<Integer, Boolean> sent = new TreeMap<>();
            while (answers.size() < ids.size() && System.nanoTime() - deadline < 0) {
                for (int id : ids) {
                    if (!sent.containsKey(id) && channels.send(ClientProtocol.clientEndpoint(cluster.get(id)),
                        calls.get(id).correlationId, RequestKind.STATUS, NO_COMMAND) == ClientChannels.Sent.SENT) {
                        sent.put(id, Boolean.TRUE);
                    }
                    final KvClient.Response r = calls.get(id).response;
                    if (r != null) {
                        answers.put(id, r);
                    }
                }
                idle.idle(channels.poll());
            }
        } finally {
            calls.values().forEach(channels::forget);
        }
        return answers;
    }

    /** The leader named in the highest term among the answers received so far; empty if none is known yet. */
    Optional<KvClient.Leader> leader() {
        return leader(view.claimedLeader());
    }

    /** Probes the nodes in parallel until one leader is known and answering, or {@code timeout} passes. */
    Optional<KvClient.Leader> findLeader(Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final IdleStrategy idle = ClientChannels.newIdle();
        while (System.nanoTime() - deadline < 0) {
            final ClusterView.Target t = view.leader(System.nanoTime());
            if (t != null) {
                return leader(t);
            }
            awaitNews(deadline, idle);
        }
        return Optional.empty();
    }

    private static Optional<KvClient.Leader> leader(ClusterView.Target t) {
        return t == null ? Optional.empty() : Optional.of(new KvClient.Leader(t.id(), t.endpoint(), t.term()));
    }

    /** The view's summary, with nodes whose channel never connected marked unreachable. */
    String summary() {
        for (Map.Entry<Integer, String> node : view.endpoints()) {
            if (!channels.isConnected(node.getValue())) {
                view.onUnreachable(node.getKey());
            }
        }
        return view.summary();
    }
}
