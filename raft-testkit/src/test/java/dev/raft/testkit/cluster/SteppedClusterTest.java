package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.api.config.RaftConfig;
import dev.raft.core.RaftNodeBuilder;
import dev.raft.core.SteppableRaftNode;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Nodes without threads, stepped from the test thread on a manual clock with seeded randomness: the
 * runtime path a deterministic simulation uses. The same seed gives the same run.
 */
class SteppedClusterTest {

    /** Runs three stepped nodes from {@code seed}; returns a trace of what happened. */
    private static List<String> run(long seed) throws Exception {
        final CachedNanoClock clock = new CachedNanoClock();
        clock.update(TimeUnit.SECONDS.toNanos(1));
        final LocalNetwork network = new LocalNetwork(clock, seed);
        final List<SteppableRaftNode> nodes = new ArrayList<>();
        final List<KvStateMachine> machines = new ArrayList<>();
        for (int id = 1; id <= 3; id++) {
            final InMemoryDisk disk = new InMemoryDisk();
            final KvStateMachine sm = new KvStateMachine();
            machines.add(sm);
            final RaftConfig config = RaftConfig.builder().nodeId(id).initialMembership(Membership.of(1, 2, 3)).build();
            nodes.add(RaftNodeBuilder.forConfig(config).logStore(disk.openLogStore(FlushMode.IMMEDIATE))
                .snapshotStore(disk.openSnapshotStore()).stateMachine(sm).transport(network.register(id))
                .clock(clock).random(new SplittableRandom(seed * 31 + id)).buildSteppable());
        }
        final List<String> trace = new ArrayList<>();
        try {
            nodes.forEach(SteppableRaftNode::start);
            SteppableRaftNode leader = null;
            for (int step = 0; step < 5000 && leader == null; step++) {
                clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
                for (SteppableRaftNode n : nodes) {
                    n.step();
                    if (n.metrics().role() == Role.LEADER) {
                        leader = n;
                        trace.add("leader " + n.id() + " term " + n.metrics().term() + " at step " + step);
                    }
                }
            }
            assertTrue(leader != null, "a leader within 5 s of simulated time");
            final List<CompletableFuture<byte[]>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(leader.propose(KvStateMachine.put("k" + (i % 17), new byte[] {(byte) i})));
            }
            for (int step = 0; step < 2000 && !futures.stream().allMatch(CompletableFuture::isDone); step++) {
                clock.advance(TimeUnit.MICROSECONDS.toNanos(100));
                nodes.forEach(SteppableRaftNode::step);
            }
            for (CompletableFuture<byte[]> f : futures) {
                f.getNow(null); // completed, and not exceptionally
            }
            for (int step = 0; step < 200; step++) { // let the followers learn the commit index
                clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
                nodes.forEach(SteppableRaftNode::step);
            }
            for (int i = 0; i < 3; i++) {
                final RaftMetrics m = nodes.get(i).metrics();
                trace.add("node " + m.nodeId() + " " + m.role() + " term " + m.term() + " applied " + m.appliedIndex()
                    + " sm " + machines.get(i).fingerprint());
            }
        } finally {
            nodes.forEach(SteppableRaftNode::close);
        }
        return trace;
    }

    @Test
    @Timeout(60)
    void steppedNodesReplicateAndTheSameSeedReplaysTheSameRun() throws Exception {
        final List<String> first = run(5);
        final List<String> second = run(5);
        assertEquals(first, second, "the same seed replays the same run");
        final String fingerprint = first.get(1).substring(first.get(1).indexOf(" sm "));
        for (int i = 1; i <= 3; i++) {
            assertTrue(first.get(i).contains(" applied 201 "), first.get(i));
            assertTrue(first.get(i).endsWith(fingerprint), "same state everywhere: " + first);
        }
    }
}
