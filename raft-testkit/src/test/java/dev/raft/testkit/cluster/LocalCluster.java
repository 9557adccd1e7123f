package dev.raft.testkit.cluster;

import com.google.inject.Guice;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.RaftModule;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.network.LocalTransportModule;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.agrona.concurrent.SystemNanoClock;

/**
 * N real nodes (each on its own runtime thread) wired by Guice with in-memory storage (flushed by a
 * background thread, like a disk), the in-memory transport and a {@link KvStateMachine}. Nodes can be
 * killed (crash: unflushed appends lost) and restarted on the same disk.
 */
final class LocalCluster implements AutoCloseable {
    final LocalNetwork network;
    final int[] ids;
    final Map<Integer, InMemoryDisk> disks = new TreeMap<>();
    final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    final Map<Integer, KvStateMachine> stateMachines = new ConcurrentHashMap<>();
    /** Every (term -> leader) ever observed, for the election-safety check. */
    final Map<Long, Integer> leaderOfTerm = new ConcurrentHashMap<>();
    final List<String> electionSafetyViolations = new ArrayList<>();

    /** Adjusts every node's configuration (identity by default). */
    java.util.function.UnaryOperator<RaftConfig.Builder> tweak = b -> b;

    LocalCluster(int size, long seed) {
        network = new LocalNetwork(SystemNanoClock.INSTANCE, seed);
        ids = new int[size];
        for (int i = 0; i < size; i++) {
            ids[i] = i + 1;
            disks.put(i + 1, new InMemoryDisk());
        }
    }

    RaftConfig config(int id) {
        // generous timeouts: two shared cores run every node, flusher and test thread
        return tweak.apply(RaftConfig.builder().nodeId(id).initialMembership(Membership.of(ids))
            .electionTimeoutMillis(400, 800).heartbeatIntervalMillis(50).maxParkMicros(1000)).build();
    }

    LocalCluster startAll() {
        for (int id : ids) {
            start(id);
        }
        return this;
    }

    void start(int id) {
        final KvStateMachine sm = new KvStateMachine();
        final RaftNode node = Guice.createInjector(
            new RaftModule(config(id)),
            new InMemoryStorageModule(disks.get(id), FlushMode.BACKGROUND),
            new LocalTransportModule(network, id),
            binder -> binder.bind(StateMachine.class).toInstance(sm)).getInstance(RaftNode.class);
        stateMachines.put(id, sm);
        nodes.put(id, node);
        node.start();
    }

    /** Crashes node {@code id}: its unflushed appends are lost, its thread stops. */
    void crash(int id) {
        final RaftNode node = nodes.remove(id);
        disks.get(id).crash();
        node.close();
        stateMachines.remove(id);
    }

    RaftNode node(int id) {
        return nodes.get(id);
    }

    /** Samples every live node's metrics and records the leader of each term (checks election safety). */
    void observe() {
        for (RaftNode n : nodes.values()) {
            final RaftMetrics m = n.metrics();
            if (m.role() == Role.LEADER) {
                final Integer previous = leaderOfTerm.putIfAbsent(m.term(), m.nodeId());
                if (previous != null && previous != m.nodeId()) {
                    synchronized (electionSafetyViolations) {
                        electionSafetyViolations.add("term " + m.term() + " led by " + previous + " and " + m.nodeId());
                    }
                }
            }
        }
    }

    /** Waits for a live leader whose term no live node exceeds, among {@code candidates} (all live nodes if empty). */
    int awaitLeader(Duration timeout, int... candidates) throws InterruptedException, TimeoutException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            observe();
            long maxTerm = 0;
            for (RaftNode n : nodes.values()) {
                maxTerm = Math.max(maxTerm, n.metrics().term());
            }
            for (RaftNode n : nodes.values()) {
                final RaftMetrics m = n.metrics();
                if (m.role() == Role.LEADER && m.term() == maxTerm && allowed(m.nodeId(), candidates)) {
                    return m.nodeId();
                }
            }
            Thread.sleep(5);
        }
        throw new TimeoutException("no leader within " + timeout + ": " + describe());
    }

    private static boolean allowed(int id, int[] candidates) {
        if (candidates.length == 0) {
            return true;
        }
        for (int c : candidates) {
            if (c == id) {
                return true;
            }
        }
        return false;
    }

    /** Waits until every live node in {@code which} (all if empty) has applied at least {@code index}. */
    void awaitApplied(long index, Duration timeout, int... which) throws InterruptedException, TimeoutException {
        for (int id : which.length == 0 ? nodes.keySet().stream().mapToInt(Integer::intValue).toArray() : which) {
            nodes.get(id).awaitMetrics(m -> m.appliedIndex() >= index, timeout);
        }
    }

    String describe() {
        final StringBuilder sb = new StringBuilder();
        for (RaftNode n : nodes.values()) {
            sb.append("\n  ").append(n.metrics());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (RaftNode n : nodes.values()) {
            n.close();
        }
        nodes.clear();
    }
}
