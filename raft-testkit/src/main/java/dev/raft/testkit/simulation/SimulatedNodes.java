package dev.raft.testkit.simulation;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.core.RaftNodeBuilder;
import dev.raft.core.SteppableRaftNode;
import dev.raft.testkit.conformance.StorageFactory;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryLogStore;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The nodes of a {@link SimulatedCluster} and their lives: each slot's disk survives crashes, and each incarnation
 * is started on it, stepped (its invariants checked after every step), crashed, restarted, retired by membership
 * churn ({@link MembershipChurn.Cluster}) or brought back. Draws from the run's random source in the order the
 * cluster calls it, so a seed replays.
 */
final class SimulatedNodes implements MembershipChurn.Cluster {
    /** One node slot: its disk survives crashes; the rest is one incarnation. */
    static final class Node {
        final int id;
        InMemoryDisk disk = new InMemoryDisk();
        /** The membership it starts knowing (null: the cluster's initial one); set when it rejoins afresh. */
        Membership initial;
        /** The third party's stores, when the run is over a {@link StorageFactory}; else null (in memory). */
        FactoryDisk factoryDisk;
        int incarnation = -1;
        SteppableRaftNode raft;
        InMemoryLogStore log;
        LogStore observedLog;
        GatedSnapshotStore snapshots;
        KvStateMachine kv;
        CompletableFuture<SnapshotMeta> snapshot;
        long restartAt;

        Node(int id) {
            this.id = id;
        }

        /** Ends the running incarnation: the node is closed and its stores forgotten (the disk stays). */
        void stop() {
            raft.close();
            raft = null;
            log = null;
            observedLog = null;
            snapshot = null;
        }
    }

    private final Node[] nodes;
    private final Membership membership;
    private final SimulationOptions options;
    private final InvariantChecker checker;
    private final LocalNetwork network;
    private final CachedNanoClock clock;
    private final SplittableRandom random;
    private final SimulationTrace trace;
    private long crashes;
    private long snapshots;

    /**
     * Node slots 1..{@code size}, in memory or, with {@code storage}, on the third party's stores in directories
     * under {@code root}; none started yet.
     */
    SimulatedNodes(int size, StorageFactory storage, Path root, SimulationOptions options, InvariantChecker checker,
                   LocalNetwork network, CachedNanoClock clock, SplittableRandom random, SimulationTrace trace) {
        this.options = options;
        this.checker = checker;
        this.network = network;
        this.clock = clock;
        this.random = random;
        this.trace = trace;
        final int[] ids = new int[size];
        this.nodes = new Node[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
            nodes[i] = new Node(i + 1);
            if (storage != null) {
                nodes[i].factoryDisk = new FactoryDisk(storage, root.resolve("node-" + (i + 1)));
            }
        }
        this.membership = Membership.of(ids);
    }

    /** Every slot, by id - 1. */
    Node[] all() {
        return nodes;
    }

    Node byId(int id) {
        return nodes[id - 1];
    }

    @Override
    public RaftNode live(int id) {
        return nodes[id - 1].raft;
    }

    @Override
    public void retire(int id) {
        final Node n = nodes[id - 1];
        if (n.raft != null) {
            n.stop();
        }
    }

    @Override
    public void rejoin(int id, Membership known) {
        // on its own disk: a node that comes back under an id it voted with must keep that vote. A wiped disk
        // under the same id can vote twice in one term (seeds 3772 and 7162 of the 10,000-seed run saw two
        // leaders in a term that way) — the README's rule: a replaced machine joins under a new id
        final Node n = nodes[id - 1];
        retire(id);
        n.initial = known;
        start(n);
    }

    /** Starts a new incarnation of {@code n} on its disk. */
    void start(Node n) {
        n.incarnation++;
        final LogStore log;
        final SnapshotStore snapshotStore;
        if (n.factoryDisk == null) {
            n.log = n.disk.openLogStore(FlushMode.MANUAL);
            log = n.log;
            snapshotStore = n.disk.openSnapshotStore();
        } else {
            try {
                log = n.factoryDisk.openLog();
                snapshotStore = n.factoryDisk.openSnapshots();
            } catch (Exception e) {
                throw trace.failure("node " + n.id + ": the storage factory could not open its stores: " + e, e);
            }
        }
        n.observedLog = new ObservedLogStore(n.id, options.logStoreWrapper().wrap(n.id, log), checker);
        n.snapshots = new GatedSnapshotStore(snapshotStore, Thread.currentThread());
        final KvStateMachine kv = new KvStateMachine();
        n.kv = kv;
        final RaftConfig config = RaftConfig.builder().nodeId(n.id)
            .initialMembership(n.initial != null ? n.initial : membership)
            .electionTimeoutMillis(60, 120).heartbeatIntervalMillis(20).maxEntriesPerAppend(64)
            .snapshotEveryAppliedEntries(0).maxAppliedLogToKeep(8).snapshotTransferTimeoutMillis(300).build();
        n.raft = RaftNodeBuilder.forConfig(config).logStore(n.observedLog).snapshotStore(n.snapshots)
            .stateMachine(new ObservedStateMachine(n.id, options.stateMachineWrapper().wrap(n.id, kv), kv, checker))
            .transport(network.register(n.id)).clock(clock).random(new SplittableRandom(random.nextLong()))
            .buildSteppable();
        n.raft.start();
        trace.mix(n.id * 1000L + n.incarnation);
        check(n);
    }

    /** One step of running node {@code n}, then the invariants. */
    void step(Node n) {
        awaitFlushed(n);
        try {
            n.raft.step();
        } catch (RuntimeException e) {
            throw trace.failure("node " + n.id + " failed its step: " + e, e);
        }
        if (n.snapshot != null) {
            awaitSnapshot(n);
        }
        check(n);
    }

    /**
     * Over a third party's stores: waits until the node's log store reported every append flushed, so that
     * what the node sees next, or what a crash keeps, does not depend on the store's thread timing. Called
     * before a step and before a crash, so the store flushes while the other nodes step.
     */
    private void awaitFlushed(Node n) {
        if (n.factoryDisk != null) {
            try {
                n.factoryDisk.awaitFlushed();
            } catch (IllegalStateException e) {
                throw trace.failure("node " + n.id + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * If the node started building the snapshot asked for (the request was not refused at once), lets the
     * build run off its thread and waits until it is done; the node learns of it in its next step.
     */
    private void awaitSnapshot(Node n) {
        if (n.snapshot.isDone()) {
            trace.mix(n.snapshot.isCompletedExceptionally() ? 13 : 11);
        } else {
            try {
                n.snapshots.runBuild();
                snapshots++;
            } catch (IllegalStateException e) {
                throw trace.failure("node " + n.id + ": " + e.getMessage(), e);
            }
            trace.mix(12);
        }
        n.snapshot = null;
    }

    private void check(Node n) {
        final RaftMetrics m = n.raft.metrics();
        checker.checkCommitQuorum(m, n.observedLog, id -> nodes[id - 1].observedLog);
        checker.afterStep(n.incarnation, m, n.observedLog);
        trace.mix(m.role().ordinal());
        trace.mix(m.term());
        trace.mix(m.lastLogId().index());
        trace.mix(m.committedIndex());
        trace.mix(m.appliedIndex());
        trace.mix(m.snapshotLastLogId().index());
        if (!checker.violations().isEmpty()) {
            throw trace.failure(String.join("; ", checker.violations()), null);
        }
    }

    /** Crashes running node {@code n} (what its disk did not flush is lost) and schedules its restart. */
    void crash(Node n) {
        if (n.factoryDisk == null) {
            n.disk.crash();
        } else {
            awaitFlushed(n);
            try {
                n.factoryDisk.crash();
            } catch (Exception e) {
                throw trace.failure("node " + n.id + ": the storage factory could not crash its stores: " + e, e);
            }
        }
        n.stop();
        n.restartAt = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(300));
        crashes++;
        trace.fault(5);
    }

    /** Restarts every crashed node whose time has come, unless {@code retired}. */
    void restartDue(IntPredicate retired) {
        for (Node n : nodes) {
            if (n.raft == null && clock.nanoTime() - n.restartAt >= 0 && !retired.test(n.id)) {
                start(n);
            }
        }
    }

    /** Makes some of the appended entries durable: all, a prefix, or none yet. */
    void scheduleFlushes() {
        for (Node n : nodes) {
            if (n.log != null && n.log.hasUnflushed()) {
                final int dice = random.nextInt(4);
                if (dice == 0) {
                    n.log.flush();
                } else if (dice == 1) {
                    final long durable = n.log.durableIndex();
                    final long last = n.observedLog.lastLogId().index();
                    n.log.flushUpTo(durable + 1 + random.nextLong(last - durable));
                }
            }
        }
    }

    /** Makes everything the in-memory log stores hold durable. */
    void flushAll() {
        for (Node n : nodes) {
            if (n.log != null) {
                n.log.flush();
            }
        }
    }

    long crashes() {
        return crashes;
    }

    long snapshots() {
        return snapshots;
    }

    /** Closes every running node. */
    void closeAll() {
        for (Node n : nodes) {
            if (n.raft != null) {
                n.raft.close();
                n.raft = null;
            }
        }
    }
}
