package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.ReadPolicy;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.RaftNodeBuilder;
import dev.raft.core.SteppableRaftNode;
import dev.raft.testkit.memory.FlushMode;
import dev.raft.testkit.memory.InMemoryDisk;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

/** Reads without the log through the runtime: stepped nodes on a manual clock, deterministic. */
class ReadsRuntimeTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final LocalNetwork network;
    private final List<SteppableRaftNode> nodes = new ArrayList<>();

    ReadsRuntimeTest() {
        clock.update(TimeUnit.SECONDS.toNanos(1));
        network = new LocalNetwork(clock, 7);
    }

    private void start(Function<KvStateMachine, StateMachine> wrap) {
        for (int id = 1; id <= 3; id++) {
            final InMemoryDisk disk = new InMemoryDisk();
            final RaftConfig config = RaftConfig.builder().nodeId(id).initialMembership(Membership.of(1, 2, 3)).build();
            nodes.add(RaftNodeBuilder.forConfig(config).logStore(disk.openLogStore(FlushMode.IMMEDIATE))
                .snapshotStore(disk.openSnapshotStore()).stateMachine(wrap.apply(new KvStateMachine()))
                .transport(network.register(id)).clock(clock).random(new SplittableRandom(100 + id)).buildSteppable());
        }
        nodes.forEach(SteppableRaftNode::start);
    }

    private void step(int millis) {
        for (int i = 0; i < millis; i++) {
            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            nodes.forEach(SteppableRaftNode::step);
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        for (int i = 0; i < 5000 && !future.isDone(); i++) {
            step(1);
        }
        assertTrue(future.isDone(), "completed within 5 s of simulated time");
        return future.join();
    }

    private SteppableRaftNode leader() {
        for (int i = 0; i < 5000; i++) {
            for (SteppableRaftNode n : nodes) {
                if (n.metrics().role() == Role.LEADER) {
                    step(100); // the blank entry of its term commits
                    return n;
                }
            }
            step(1);
        }
        throw new AssertionError("no leader");
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFollowerReadWaitsUntilTheFollowerAppliedTheLeadersIndex() {
        start(kv -> kv);
        final SteppableRaftNode leader = leader();
        final SteppableRaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        await(leader.propose(KvStateMachine.put("k", b("old"))));
        step(100);
        assertArrayEquals(b("old"), await(follower.read(ReadPolicy.LINEARIZABLE_READ_INDEX, KvStateMachine.get("k"))));

        network.isolate(follower.id());
        await(leader.propose(KvStateMachine.put("k", b("new"))));
        assertArrayEquals(b("old"), await(follower.read(ReadPolicy.SERIALIZABLE, KvStateMachine.get("k"))),
            "the isolated follower has not applied the new value");
        network.heal();
        final long appliedBefore = follower.metrics().appliedIndex();
        final CompletableFuture<byte[]> read = follower.read(ReadPolicy.LINEARIZABLE_READ_INDEX, KvStateMachine.get("k"));
        assertArrayEquals(b("new"), await(read), "served only once the follower applied the leader's commit index");
        assertTrue(follower.metrics().appliedIndex() > appliedBefore);
        assertArrayEquals(b("new"), await(follower.read(ReadPolicy.LEASE, KvStateMachine.get("k"))));
        assertArrayEquals(b("new"), await(leader.read(ReadPolicy.LEASE, KvStateMachine.get("k"))));
    }

    @Test
    void anIsolatedFollowerFailsItsLinearizableReadsButServesStaleOnes() {
        start(kv -> kv);
        final SteppableRaftNode leader = leader();
        final SteppableRaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        await(leader.propose(KvStateMachine.put("k", b("v"))));
        step(100);
        network.isolate(follower.id());
        final CompletableFuture<byte[]> read = follower.read(ReadPolicy.LINEARIZABLE_READ_INDEX, KvStateMachine.get("k"));
        for (int i = 0; i < 5000 && !read.isDone(); i++) {
            step(1);
        }
        final CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, read::join);
        assertInstanceOf(dev.raft.api.error.RaftException.class, e.getCause(), "a retriable refusal: " + e.getCause());
        assertArrayEquals(b("v"), await(follower.read(ReadPolicy.SERIALIZABLE, KvStateMachine.get("k"))));
    }

    @Test
    void aStateMachineWithoutQueriesAndAClosedNodeFailTheReadClearly() {
        start(kv -> new StateMachine() {
            @Override
            public byte[] apply(EntryView entry) {
                return kv.apply(entry);
            }

            @Override
            public LogId lastApplied() {
                return kv.lastApplied();
            }

            @Override
            public SnapshotWriter takeSnapshot() {
                return kv.takeSnapshot();
            }

            @Override
            public void restore(SnapshotMeta meta, InputStream data) throws java.io.IOException {
                kv.restore(meta, data);
            }
        });
        final SteppableRaftNode leader = leader();
        final CompletableFuture<byte[]> read = leader.read(ReadPolicy.LINEARIZABLE_READ_INDEX, KvStateMachine.get("k"));
        for (int i = 0; i < 5000 && !read.isDone(); i++) {
            step(1);
        }
        final CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, read::join);
        assertInstanceOf(UnsupportedOperationException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("does not implement StateMachine.query"), e.getCause().getMessage());
        leader.close();
        final CompletionException closed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
            () -> leader.read(ReadPolicy.SERIALIZABLE, KvStateMachine.get("k")).join());
        assertInstanceOf(NodeClosedException.class, closed.getCause());
        nodes.forEach(SteppableRaftNode::close);
        assertEquals(3, nodes.size());
    }
}
