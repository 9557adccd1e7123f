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
import dev.raft.testkit.linearizability.CheckResult;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvModel;
import dev.raft.testkit.linearizability.KvOutput;
import dev.raft.testkit.linearizability.LinearizabilityChecker;
import dev.raft.testkit.linearizability.Verdict;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryLogStore;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;

/**
 * A deterministic simulation of one Raft cluster: 3 to 7 nodes ({@link RaftNodeBuilder#buildSteppable()})
 * stepped in one thread from one seed, on a simulated clock ({@link CachedNanoClock} advanced by the
 * simulation) and a simulated network ({@link LocalNetwork} on that clock: drops, delays that reorder,
 * duplicates, partitions, isolations, heals). Nodes crash, alone or all at once ({@link InMemoryDisk#crash()}:
 * writes not yet flushed are lost; flushes of the {@link FlushMode#MANUAL} log stores are scheduled by the
 * seed) and restart, snapshots are triggered through {@link RaftNode#triggerSnapshot()} (logs are then purged
 * and lagging followers get InstallSnapshot), and clients run get/put/compare-and-set operations on a
 * {@link KvStateMachine}.
 *
 * <p>After every step of every node the Raft safety invariants are checked (election safety, log matching,
 * leader completeness, state-machine safety, monotonic commit and applied indexes per node incarnation,
 * {@code purged <= snapshot <= applied <= committed <= last log}); after the run the client history is checked
 * for linearizability, and the healed cluster must converge (liveness). A violation throws a
 * {@link SimulationFailure} naming the seed and a one-line replay command. The last fifth of a run injects no
 * fault and heals the network, so operations can complete.
 *
 * <p>Membership churn ({@link MembershipChurn}): for most seeds the leader is asked now and then to add a
 * learner, promote one, remove a member or transfer its leadership; a node whose removal committed is retired, and
 * one added back starts afresh. After every step a leader's commit is checked against the quorums of the
 * configuration in force ({@link InvariantChecker#checkCommitQuorum}); liveness then concerns the members of the
 * final configuration.
 */
public final class SimulatedCluster {
    /** The system property that selects the single seed to replay. */
    public static final String SEED_PROPERTY = "sim.seed";
    /** The system property that sets the number of rounds of a run. */
    public static final String ROUNDS_PROPERTY = "sim.rounds";

    private static final long START_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long, in simulated time, the cluster may take to converge once healed. */
    private static final long SETTLE_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final long seed;
    private final SimulationOptions options;
    private final String replayTest;
    private final SplittableRandom random;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final LocalNetwork network;
    private final InvariantChecker checker = new InvariantChecker();
    private final int size;
    /** 1, 2 or 4: how many times the base fault rates this seed injects faults at. */
    private final int faultScale;
    private final Membership membership;
    private final Node[] nodes;
    private final KvClients clients;
    private final MembershipChurn churn;
    private long trace = 17;
    private long faults;
    private long crashes;
    private long snapshots;

    /** One node slot: its disk survives crashes; the rest is one incarnation. */
    private static final class Node {
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
    }

    private SimulatedCluster(long seed, SimulationOptions options, String replayTest, StorageFactory storage, Path root) {
        this.seed = seed;
        this.options = options;
        this.replayTest = replayTest;
        this.random = new SplittableRandom(seed);
        clock.update(START_NANOS);
        this.network = new LocalNetwork(clock, random.nextLong());
        this.size = 3 + random.nextInt(5);
        this.faultScale = 1 << random.nextInt(3);
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
        this.clients = new KvClients(random.split(), options.clients(), size, clock::nanoTime);
        this.churn = new MembershipChurn(seed, size, storage == null, new MembershipChurn.Cluster() {
            @Override
            public RaftNode live(int id) {
                return nodes[id - 1].raft;
            }

            @Override
            public void retire(int id) {
                final Node n = nodes[id - 1];
                if (n.raft != null) {
                    n.raft.close();
                    n.raft = null;
                    n.log = null;
                    n.observedLog = null;
                    n.snapshot = null;
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
        });
    }

    /**
     * Runs the simulation of {@code seed} with {@code options}.
     *
     * @param replayTest the surefire test selector ({@code Class} or {@code Class#method}) whose run replays a
     *                   seed given as {@code -Dsim.seed}; it goes into the replay command of a failure
     * @return what the run did
     * @throws SimulationFailure if an invariant broke or the history is not linearizable
     */
    public static SimulationResult run(long seed, SimulationOptions options, String replayTest) {
        final SimulatedCluster cluster = new SimulatedCluster(seed, options, replayTest, null, null);
        try {
            return cluster.run();
        } finally {
            cluster.closeAll();
        }
    }

    /**
     * Runs the simulation of {@code seed} over a third party's stores: each node's log and snapshot store are
     * opened by {@code storage} on directories under a fresh temporary directory (on {@code /dev/shm} when it
     * exists, so that forces cost little), crashed by {@link StorageFactory#crash}, and deleted after the run.
     * The binding is the conformance suite's: one {@link StorageFactory} serves both. The simulation waits
     * after each step of a node until its log store reported every append flushed, so a run is repeatable as
     * long as the store's state depends only on the calls made.
     *
     * @throws SimulationFailure if an invariant broke or the history is not linearizable
     */
    public static SimulationResult run(long seed, SimulationOptions options, String replayTest, StorageFactory storage) {
        final Path root = StorageDirectories.create("raft-sim-" + seed + "-");
        try {
            final SimulatedCluster cluster = new SimulatedCluster(seed, options, replayTest, storage, root);
            try {
                return cluster.run();
            } finally {
                cluster.closeAll();
            }
        } finally {
            StorageDirectories.delete(root);
        }
    }

    /** The one-line command that replays {@code seed} with {@code rounds} rounds through {@code replayTest}. */
    public static String replayCommand(long seed, int rounds, String replayTest) {
        return "mvn -o -q -B verify -pl raft-testkit -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest='" + replayTest
            + "' -D" + SEED_PROPERTY + "=" + seed + " -D" + ROUNDS_PROPERTY + "=" + rounds;
    }

    private SimulationResult run() {
        final int rounds = options.rounds();
        final int quietFrom = rounds - rounds / 5;
        for (Node n : nodes) {
            start(n);
        }
        for (int round = 0; round < rounds; round++) {
            clock.advance(500_000L + random.nextLong(2_500_000L));
            if (round < quietFrom) {
                injectFaults();
            } else if (round == quietFrom) {
                network.heal();
                mix(-1);
            }
            restartDue();
            mix(churn.round(round < quietFrom));
            clients.issue(0.25, this::liveNode);
            for (int k = 0, offset = random.nextInt(size); k < size; k++) {
                final Node n = nodes[(offset + k) % size];
                if (n.raft != null) {
                    step(n);
                }
            }
            mix(clients.poll());
            scheduleFlushes();
        }
        final long settleMillis = settle();
        final CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel())
            .withTimeout(Duration.ofSeconds(20)).check(clients.history());
        if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
            throw failure("the client history is not linearizable:\n" + result.report(), null);
        }
        return new SimulationResult(seed, size, trace, TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - START_NANOS),
            faults, crashes, network.sentCount(), network.droppedCount(), clients.invoked(), clients.ok(),
            clients.unknown(), clients.history().size(), result.verdict() == Verdict.UNKNOWN, checker.appliedChecks(),
            checker.leaderChecks(), snapshots, checker.purges(), checker.restores(), settleMillis, churn.completed(),
            churn.transfers(), churn.failed(), checker.commitQuorumChecks());
    }

    /**
     * Liveness: with the network healed and no more faults, steps until every node is up, one leader leads and
     * every node applied everything it logged with the same state; fails after {@link #SETTLE_LIMIT_NANOS}.
     *
     * @return the simulated milliseconds it took
     */
    private long settle() {
        final long start = clock.nanoTime();
        while (!converged()) {
            if (clock.nanoTime() - start > SETTLE_LIMIT_NANOS) {
                final StringBuilder state = new StringBuilder();
                for (Node n : nodes) {
                    state.append("\n    node ").append(n.id).append(n.raft == null ? " down" : ": " + n.raft.metrics()
                        + " state " + n.kv.fingerprint());
                }
                throw failure("liveness: the cluster did not converge within "
                    + TimeUnit.NANOSECONDS.toMillis(SETTLE_LIMIT_NANOS) + " ms after healing" + state, null);
            }
            clock.advance(500_000L + random.nextLong(2_500_000L));
            restartDue();
            mix(churn.round(false));
            for (Node n : nodes) {
                if (n.raft != null) {
                    step(n);
                }
            }
            mix(clients.poll());
            for (Node n : nodes) {
                if (n.log != null) {
                    n.log.flush();
                }
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
    }

    /**
     * Every member of the leader's configuration up, one leader, and every member applied up to the leader's last
     * log index with the same state (nodes outside the configuration — retired, or removed — do not count).
     */
    private boolean converged() {
        RaftMetrics leader = null;
        for (Node n : nodes) {
            if (n.raft == null) {
                if (churn.retired(n.id)) {
                    continue;
                }
                return false;
            }
            final RaftMetrics m = n.raft.metrics();
            if (m.isLeader()) {
                if (leader != null) {
                    return false;
                }
                leader = m;
            }
        }
        if (leader == null) {
            return false;
        }
        final String state = nodes[leader.nodeId() - 1].kv.fingerprint();
        for (Node n : nodes) {
            if (!leader.membership().contains(n.id)) {
                continue;
            }
            if (n.raft == null) {
                return false;
            }
            final RaftMetrics m = n.raft.metrics();
            if (m.term() != leader.term() || m.appliedIndex() != leader.lastLogId().index()
                || !n.kv.fingerprint().equals(state)) {
                return false;
            }
        }
        return true;
    }

    private SimulationFailure failure(String what, Throwable cause) {
        return new SimulationFailure(seed, trace, replayCommand(seed, options.rounds(), replayTest),
            what + " (" + size + " nodes, fault rate x" + faultScale + ", simulated time "
                + TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - START_NANOS) + " ms)", cause);
    }

    private RaftNode liveNode(int id) {
        return nodes[id - 1].raft;
    }

    private void start(Node n) {
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
                throw failure("node " + n.id + ": the storage factory could not open its stores: " + e, e);
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
        mix(n.id * 1000L + n.incarnation);
        check(n);
    }

    private void step(Node n) {
        awaitFlushed(n);
        try {
            n.raft.step();
        } catch (RuntimeException e) {
            throw failure("node " + n.id + " failed its step: " + e, e);
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
                throw failure("node " + n.id + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * If the node started building the snapshot asked for (the request was not refused at once), lets the
     * build run off its thread and waits until it is done; the node learns of it in its next step.
     */
    private void awaitSnapshot(Node n) {
        if (n.snapshot.isDone()) {
            mix(n.snapshot.isCompletedExceptionally() ? 13 : 11);
        } else {
            try {
                n.snapshots.runBuild();
                snapshots++;
            } catch (IllegalStateException e) {
                throw failure("node " + n.id + ": " + e.getMessage(), e);
            }
            mix(12);
        }
        n.snapshot = null;
    }

    private void check(Node n) {
        final RaftMetrics m = n.raft.metrics();
        checker.checkCommitQuorum(m, n.observedLog, id -> nodes[id - 1].observedLog);
        checker.afterStep(n.incarnation, m, n.observedLog);
        mix(m.role().ordinal());
        mix(m.term());
        mix(m.lastLogId().index());
        mix(m.committedIndex());
        mix(m.appliedIndex());
        mix(m.snapshotLastLogId().index());
        if (!checker.violations().isEmpty()) {
            throw failure(String.join("; ", checker.violations()), null);
        }
    }

    private void injectFaults() {
        final int dice = random.nextInt(1000) / faultScale;
        if (dice < 4) {
            final int[] side = new int[1 + random.nextInt(size / 2)];
            for (int i = 0; i < side.length; i++) {
                side[i] = 1 + random.nextInt(size);
            }
            network.partition(side);
            fault(1);
        } else if (dice < 8) {
            network.isolate(1 + random.nextInt(size));
            fault(2);
        } else if (dice < 14) {
            network.heal();
            fault(3);
        } else if (dice < 24) {
            final int from = 1 + random.nextInt(size);
            final int to = 1 + random.nextInt(size);
            switch (random.nextInt(3)) {
                case 0 -> network.drop(from, to, 0.1 + random.nextDouble() * 0.5);
                case 1 -> network.delay(from, to, random.nextInt(5), 5 + random.nextInt(40));
                default -> network.duplicate(from, to, 0.1 + random.nextDouble() * 0.5);
            }
            fault(4);
        } else if (dice < 27) {
            final Node n = nodes[random.nextInt(size)];
            if (n.raft != null) {
                crash(n);
            }
        } else if (dice < 28) { // a power failure: every node at once
            for (Node n : nodes) {
                if (n.raft != null) {
                    crash(n);
                }
            }
        } else if (dice < 33) {
            final Node n = nodes[random.nextInt(size)];
            if (n.raft != null && n.snapshot == null) {
                n.snapshot = n.raft.triggerSnapshot();
                fault(6);
            }
        }
    }

    private void crash(Node n) {
        if (n.factoryDisk == null) {
            n.disk.crash();
        } else {
            awaitFlushed(n);
            try {
                n.factoryDisk.crash();
            } catch (Exception e) {
                throw failure("node " + n.id + ": the storage factory could not crash its stores: " + e, e);
            }
        }
        n.raft.close();
        n.raft = null;
        n.log = null;
        n.observedLog = null;
        n.snapshot = null;
        n.restartAt = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + random.nextInt(300));
        crashes++;
        fault(5);
    }

    private void restartDue() {
        for (Node n : nodes) {
            if (n.raft == null && clock.nanoTime() - n.restartAt >= 0 && !churn.retired(n.id)) {
                start(n);
            }
        }
    }

    /** Makes some of the appended entries durable: all, a prefix, or none yet. */
    private void scheduleFlushes() {
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

    private void fault(int kind) {
        faults++;
        mix(100 + kind);
    }

    private void mix(long value) {
        trace = (trace ^ value) * 0x9E3779B97F4A7C15L;
        trace ^= trace >>> 29;
    }

    private void closeAll() {
        for (Node n : nodes) {
            if (n.raft != null) {
                n.raft.close();
                n.raft = null;
            }
        }
    }
}
