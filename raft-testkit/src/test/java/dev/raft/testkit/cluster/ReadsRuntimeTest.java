package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.ReadPolicy;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.SteppableRaftNode;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Reads without the log through the runtime: stepped nodes on a manual clock, deterministic. */
class ReadsRuntimeTest {
    private final SteppedNodes cluster = new SteppedNodes(7, 100);
    private final LocalNetwork network = cluster.network;
    private final List<SteppableRaftNode> nodes = cluster.nodes;

    private void start(Function<KvStateMachine, StateMachine> wrap) {
        cluster.start(wrap);
    }

    private void step(int millis) {
        cluster.step(millis);
    }

    private <T> T await(CompletableFuture<T> future) {
        return cluster.await(future);
    }

    private SteppableRaftNode leader() {
        return cluster.leader();
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
