package dev.raft.core.internal.runtime;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.core.RaftCounters;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.metrics.CountersPublisher;
import dev.raft.core.internal.metrics.MetricsPublisher;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node publishes of its state: on the node thread, after each duty cycle, the {@link RaftMetrics}
 * record and the counters (and a log line when the node becomes or stops being the leader); from any thread,
 * reads of and waits on the published metrics. Allocation-free on the node thread.
 */
final class NodeMetrics {
    /** The node runtime's logger: the role changes are logged under the same name as before this class. */
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final int nodeId;
    private final CountersPublisher counters;
    private final MetricsPublisher metrics;
    private Role publishedRole = Role.FOLLOWER;

    NodeMetrics(int nodeId, Membership initial, RaftCounters counterAllocator) {
        this.nodeId = nodeId;
        this.counters = new CountersPublisher(nodeId, counterAllocator);
        this.metrics = new MetricsPublisher(nodeId, initial, counters);
    }

    /** Node thread: publishes the engine's state with the applier's and the log's. */
    void publish(RaftEngine engine, long appliedIndex, LogId snapshotLast, LogId purged) {
        final Role role = engine.state().role();
        if (role != publishedRole) {
            // every role change (elections are rare; a failover's rounds must be visible in the logs), as the duty
            // cycle publishes it: changes within one cycle show as one
            LOG.info("node {}: {} -> {} in term {} (leader {}, last log {})", nodeId, publishedRole, role,
                engine.state().term(), engine.state().leaderId(), engine.state().lastLogIndex());
            publishedRole = role;
        }
        metrics.update(engine, appliedIndex, snapshotLast, purged);
        counters.update(engine.counters());
    }

    /** Node thread: publishes that the node failed. */
    void fail() {
        metrics.fail();
    }

    /** Node thread, closing: the last publication; releases the counters. */
    void close() {
        metrics.shutdown();
        counters.close();
    }

    /** Any thread: the latest publication. */
    RaftMetrics read() {
        return metrics.read();
    }

    /** Any thread: waits for a publication that meets {@code condition}. */
    RaftMetrics await(Predicate<RaftMetrics> condition, Duration timeout) throws TimeoutException, InterruptedException {
        return metrics.await(condition, timeout);
    }
}
