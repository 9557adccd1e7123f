package dev.raft.core.internal.runtime;

import dev.raft.api.error.NodeClosedException;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node stops, on its thread: after a fatal error, once, it publishes FAILED and fails every pending
 * and queued request with the cause; at close it fails what is still pending (with the cause, or as closed),
 * detaches the services, releases the transport, the storage, the snapshot parts and the counters, and last
 * completes {@code terminated()}.
 */
final class Teardown {
    /** The node runtime's logger: the fatal error is logged under the same name as before this class. */
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);

    private final int nodeId;
    private final FailStop failStop;
    private final NodeMetrics metrics;
    private final Applier applier;
    private final MembershipAdmin admin;
    private final ReadRequests reads;
    private final RequestIntake intake;
    private final NodeServices services;
    private final Transport transport;
    private final LogStore logStore;
    private final SnapshotBuilds builds;
    private final SnapshotReceiving receiving;
    private final SnapshotReaders readers;
    private final SnapshotStore snapshotStore;

    Teardown(int nodeId, FailStop failStop, NodeMetrics metrics, Applier applier, MembershipAdmin admin,
             ReadRequests reads, RequestIntake intake, NodeServices services, Transport transport, LogStore logStore,
             SnapshotBuilds builds, SnapshotReceiving receiving, SnapshotReaders readers, SnapshotStore snapshotStore) {
        this.nodeId = nodeId;
        this.failStop = failStop;
        this.metrics = metrics;
        this.applier = applier;
        this.admin = admin;
        this.reads = reads;
        this.intake = intake;
        this.services = services;
        this.transport = transport;
        this.logStore = logStore;
        this.builds = builds;
        this.receiving = receiving;
        this.readers = readers;
        this.snapshotStore = snapshotStore;
    }

    /**
     * Once, after a fatal error: the node stops voting, replicating and applying (its agent ends, and closing
     * releases the transport and storage, then completes {@code terminated()}); publishes FAILED; fails every
     * pending future with the cause.
     */
    void afterFailure() {
        if (!failStop.firstHandling()) {
            return;
        }
        final Throwable cause = failStop.cause();
        LOG.error("node {} stops after a fatal error: {}", nodeId, cause.toString());
        LOG.debug("node {}: the fatal error", nodeId, cause); // the stack trace only at DEBUG
        metrics.fail();
        failPending(failStop.error());
        // terminated() completes in close, once the transport and storage are released: a program that exits
        // on it (raftkv server) prints its last line after the node's own teardown
    }

    /** Closing: fails what is pending, releases every resource, then completes {@code terminated()}. */
    void close() {
        intake.close();
        failPending(failStop.failed() ? failStop.error() : new NodeClosedException(nodeId, "pending proposal"));
        services.detachAll();
        // the counters first: they may live in the transport's memory (the Aeron driver's CnC file)
        metrics.close();
        Closing.quietly(nodeId, transport, "transport");
        Closing.quietly(nodeId, logStore, "log store");
        builds.close();
        receiving.close();
        readers.close();
        Closing.quietly(nodeId, snapshotStore, "snapshot store");
        failStop.stopped();
    }

    /** Fails every pending and queued request with {@code error}. */
    private void failPending(RuntimeException error) {
        applier.failAll(index -> error);
        applier.completeStaged();
        admin.failAll(error);
        admin.completeStaged();
        reads.failAll(error);
        intake.failQueued();
    }
}
