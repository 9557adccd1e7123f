package dev.raft.testkit.simulation;

import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.core.RaftNodeBuilder;
import dev.raft.testkit.conformance.StorageFactory;
import dev.raft.testkit.linearizability.CheckResult;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvModel;
import dev.raft.testkit.linearizability.KvOutput;
import dev.raft.testkit.linearizability.LinearizabilityChecker;
import dev.raft.testkit.linearizability.Verdict;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
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
 *
 * <p>The nodes' lives (start, step, crash, restart, retirement) are {@link SimulatedNodes}'; the trace hash, fault
 * count and failure messages the run's {@link SimulationTrace}.
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
    private final SplittableRandom random;
    private final CachedNanoClock clock = new CachedNanoClock();
    private final LocalNetwork network;
    private final InvariantChecker checker = new InvariantChecker();
    private final int size;
    /** 1, 2 or 4: how many times the base fault rates this seed injects faults at. */
    private final int faultScale;
    private final SimulationTrace trace;
    private final SimulatedNodes nodes;
    private final KvClients clients;
    private final MembershipChurn churn;

    private SimulatedCluster(long seed, SimulationOptions options, String replayTest, StorageFactory storage, Path root) {
        this.seed = seed;
        this.options = options;
        this.random = new SplittableRandom(seed);
        clock.update(START_NANOS);
        this.network = new LocalNetwork(clock, random.nextLong());
        this.size = 3 + random.nextInt(5);
        this.faultScale = 1 << random.nextInt(3);
        this.trace = new SimulationTrace(seed, replayCommand(seed, options.rounds(), replayTest),
            size + " nodes, fault rate x" + faultScale, clock, START_NANOS);
        this.nodes = new SimulatedNodes(size, storage, root, options, checker, network, clock, random, trace);
        this.clients = new KvClients(random.split(), options.clients(), size, clock::nanoTime);
        this.churn = new MembershipChurn(seed, size, storage == null, nodes);
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
            cluster.nodes.closeAll();
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
                cluster.nodes.closeAll();
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
        for (SimulatedNodes.Node n : nodes.all()) {
            nodes.start(n);
        }
        for (int round = 0; round < rounds; round++) {
            clock.advance(500_000L + random.nextLong(2_500_000L));
            if (round < quietFrom) {
                injectFaults();
            } else if (round == quietFrom) {
                network.heal();
                trace.mix(-1);
            }
            nodes.restartDue(churn::retired);
            trace.mix(churn.round(round < quietFrom));
            clients.issue(0.25, nodes::live);
            for (int k = 0, offset = random.nextInt(size); k < size; k++) {
                final SimulatedNodes.Node n = nodes.all()[(offset + k) % size];
                if (n.raft != null) {
                    nodes.step(n);
                }
            }
            trace.mix(clients.poll());
            nodes.scheduleFlushes();
        }
        final long settleMillis = settle();
        final CheckResult<KvInput, KvOutput> result = LinearizabilityChecker.forModel(new KvModel())
            .withTimeout(Duration.ofSeconds(20)).check(clients.history());
        if (result.verdict() == Verdict.NOT_LINEARIZABLE) {
            throw trace.failure("the client history is not linearizable:\n" + result.report(), null);
        }
        return new SimulationResult(seed, size, trace.hash(), trace.simulatedMillis(),
            trace.faults(), nodes.crashes(), network.sentCount(), network.droppedCount(), clients.invoked(), clients.ok(),
            clients.unknown(), clients.history().size(), result.verdict() == Verdict.UNKNOWN, checker.appliedChecks(),
            checker.leaderChecks(), nodes.snapshots(), checker.purges(), checker.restores(), settleMillis, churn.completed(),
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
                for (SimulatedNodes.Node n : nodes.all()) {
                    state.append("\n    node ").append(n.id).append(n.raft == null ? " down" : ": " + n.raft.metrics()
                        + " state " + n.kv.fingerprint());
                }
                throw trace.failure("liveness: the cluster did not converge within "
                    + TimeUnit.NANOSECONDS.toMillis(SETTLE_LIMIT_NANOS) + " ms after healing" + state, null);
            }
            clock.advance(500_000L + random.nextLong(2_500_000L));
            nodes.restartDue(churn::retired);
            trace.mix(churn.round(false));
            for (SimulatedNodes.Node n : nodes.all()) {
                if (n.raft != null) {
                    nodes.step(n);
                }
            }
            trace.mix(clients.poll());
            nodes.flushAll();
        }
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);
    }

    /**
     * Every member of the leader's configuration up, one leader, and every member applied up to the leader's last
     * log index with the same state (nodes outside the configuration — retired, or removed — do not count).
     */
    private boolean converged() {
        RaftMetrics leader = null;
        for (SimulatedNodes.Node n : nodes.all()) {
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
        final String state = nodes.byId(leader.nodeId()).kv.fingerprint();
        for (SimulatedNodes.Node n : nodes.all()) {
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

    private void injectFaults() {
        final int dice = random.nextInt(1000) / faultScale;
        if (dice < 4) {
            final int[] side = new int[1 + random.nextInt(size / 2)];
            for (int i = 0; i < side.length; i++) {
                side[i] = 1 + random.nextInt(size);
            }
            network.partition(side);
            trace.fault(1);
        } else if (dice < 8) {
            network.isolate(1 + random.nextInt(size));
            trace.fault(2);
        } else if (dice < 14) {
            network.heal();
            trace.fault(3);
        } else if (dice < 24) {
            final int from = 1 + random.nextInt(size);
            final int to = 1 + random.nextInt(size);
            switch (random.nextInt(3)) {
                case 0 -> network.drop(from, to, 0.1 + random.nextDouble() * 0.5);
                case 1 -> network.delay(from, to, random.nextInt(5), 5 + random.nextInt(40));
                default -> network.duplicate(from, to, 0.1 + random.nextDouble() * 0.5);
            }
            trace.fault(4);
        } else if (dice < 27) {
            final SimulatedNodes.Node n = nodes.all()[random.nextInt(size)];
            if (n.raft != null) {
                nodes.crash(n);
            }
        } else if (dice < 28) { // a power failure: every node at once
            for (SimulatedNodes.Node n : nodes.all()) {
                if (n.raft != null) {
                    nodes.crash(n);
                }
            }
        } else if (dice < 33) {
            final SimulatedNodes.Node n = nodes.all()[random.nextInt(size)];
            if (n.raft != null && n.snapshot == null) {
                n.snapshot = n.raft.triggerSnapshot();
                trace.fault(6);
            }
        }
    }
}
