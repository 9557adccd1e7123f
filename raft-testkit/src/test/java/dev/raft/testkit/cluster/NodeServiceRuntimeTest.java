package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.ReadPolicy;
import dev.raft.api.Role;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.service.NodeContext;
import dev.raft.api.service.NodeService;
import dev.raft.api.service.OutcomeListener;
import dev.raft.core.SteppableRaftNode;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Services on the node's thread ({@code RaftNode.attach}): stepped nodes on a manual clock, deterministic. */
class NodeServiceRuntimeTest {
    private final SteppedNodes cluster = new SteppedNodes(11, 200);
    private final LocalNetwork network = cluster.network;
    private final List<SteppableRaftNode> nodes = cluster.nodes;

    NodeServiceRuntimeTest() {
        cluster.start(kv -> kv);
    }

    @AfterEach
    void close() {
        nodes.forEach(SteppableRaftNode::close);
    }

    /** A service that submits what the test queues, on the node thread, and records every outcome in order. */
    private static final class Recorder implements NodeService, OutcomeListener {
        final ArrayDeque<Runnable> work = new ArrayDeque<>();
        final Map<Long, Object> outcomes = new TreeMap<>();
        final List<Long> order = new ArrayList<>();
        NodeContext context;
        int cycles;
        boolean detached;

        @Override
        public void onAttach(NodeContext context) {
            this.context = context;
        }

        @Override
        public int doWork(long nowNanos) {
            cycles++;
            Runnable r;
            int n = 0;
            while ((r = work.poll()) != null) {
                r.run();
                n++;
            }
            return n;
        }

        @Override
        public void onDetach() {
            detached = true;
        }

        @Override
        public void onResult(long correlation, byte[] result) {
            outcomes.put(correlation, result == null ? new byte[0] : result);
            order.add(correlation);
        }

        @Override
        public void onError(long correlation, RuntimeException error) {
            outcomes.put(correlation, error);
            order.add(correlation);
        }
    }

    private void step(int millis) {
        cluster.step(millis);
    }

    private <T> T await(CompletableFuture<T> future) {
        return cluster.await(future);
    }

    private void awaitOutcomes(Recorder r, int count) {
        cluster.stepUntil(() -> r.outcomes.size() >= count);
        assertEquals(count, r.outcomes.size(), "outcomes within 5 s of simulated time: " + r.outcomes);
    }

    private SteppableRaftNode leader() {
        return cluster.leader();
    }

    private static UnsafeBuffer buf(byte[] bytes) {
        return new UnsafeBuffer(bytes);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aServiceOnTheLeaderProposesWithoutAFutureAndHearsEachOutcomeInLogOrder() {
        final SteppableRaftNode leader = leader();
        final Recorder service = new Recorder();
        await(leader.attach(service));
        final long[] indexes = new long[10];
        service.work.add(() -> {
            for (int i = 0; i < 10; i++) {
                final byte[] put = KvStateMachine.put("k" + i, b("v" + i));
                indexes[i] = service.context.propose(buf(put), 0, put.length, service, 100 + i);
            }
        });
        awaitOutcomes(service, 10);
        for (int i = 1; i < 10; i++) {
            assertEquals(indexes[i - 1] + 1, indexes[i], "consecutive log indexes, all accepted");
        }
        assertTrue(indexes[0] > 0);
        assertEquals(List.of(100L, 101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L), service.order);
        assertTrue(leader.metrics().appliedIndex() >= indexes[9], "outcomes come after the node published its metrics");

        final byte[] get = KvStateMachine.get("k7");
        service.work.add(() -> assertEquals(0, service.context.read(ReadPolicy.LINEARIZABLE_READ_INDEX, buf(get), 0,
            get.length, service, 7)));
        awaitOutcomes(service, 11);
        assertArrayEquals(b("v7"), (byte[]) service.outcomes.get(7L));
    }

    @Test
    void aFollowerRefusesProposalsAtOnceButServesReadsAndTheContextStaysOnTheNodeThread() {
        final SteppableRaftNode leader = leader();
        await(leader.propose(KvStateMachine.put("k", b("v"))));
        final SteppableRaftNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
        final Recorder service = new Recorder();
        await(follower.attach(service));
        final long[] refusal = new long[1];
        final byte[] put = KvStateMachine.put("x", b("y"));
        final byte[] get = KvStateMachine.get("k");
        service.work.add(() -> {
            refusal[0] = service.context.propose(buf(put), 0, put.length, service, 1);
            assertEquals(leader.id(), service.context.leaderId());
            assertEquals(Role.FOLLOWER, service.context.role());
            service.context.read(ReadPolicy.LINEARIZABLE_READ_INDEX, buf(get), 0, get.length, service, 2);
        });
        awaitOutcomes(service, 1);
        assertEquals(NodeContext.NOT_LEADER, refusal[0]);
        assertArrayEquals(b("v"), (byte[]) service.outcomes.get(2L), "a follower read");
        // a stepped node's thread is the one that steps it: any other thread is refused
        final CompletableFuture<Long> elsewhere = CompletableFuture.supplyAsync(
            () -> service.context.propose(buf(put), 0, put.length, service, 3),
            r -> new Thread(r, "not-the-node").start());
        final CompletionException wrongThread = assertThrows(CompletionException.class, elsewhere::join);
        assertInstanceOf(IllegalStateException.class, wrongThread.getCause());
        assertTrue(wrongThread.getCause().getMessage().contains("not-the-node, not on the node's thread"),
            wrongThread.getCause().getMessage());
        final CompletionException twice = assertThrows(CompletionException.class, () -> await(follower.attach(service)));
        assertInstanceOf(IllegalArgumentException.class, twice.getCause());
    }

    @Test
    void aDeposedLeaderFailsItsServicesPendingProposalsAsUnknownAndClosingDetachesTheService() {
        final SteppableRaftNode leader = leader();
        final Recorder service = new Recorder();
        await(leader.attach(service));
        network.isolate(leader.id());
        final byte[] put = KvStateMachine.put("lost", b("maybe"));
        service.work.add(() -> assertTrue(service.context.propose(buf(put), 0, put.length, service, 9) > 0));
        step(1);
        awaitOutcomes(service, 1); // the other two elect a leader; the isolated one steps down (CheckQuorum)
        assertInstanceOf(LeadershipLostException.class, service.outcomes.get(9L));

        network.heal();
        final SteppableRaftNode next = leader();
        final Recorder second = new Recorder();
        await(next.attach(second));
        network.isolate(next.id());
        final byte[] put2 = KvStateMachine.put("pending", b("at close"));
        second.work.add(() -> assertTrue(second.context.propose(buf(put2), 0, put2.length, second, 5) > 0));
        step(1);
        final int cycles = second.cycles;
        next.close();
        assertInstanceOf(NodeClosedException.class, second.outcomes.get(5L), "failed before the service detached");
        assertTrue(second.detached);
        assertEquals(cycles, second.cycles, "not polled after close");
        nodes.remove(next);
    }

    @Test
    void aDetachedServiceIsPolledNoMore() {
        final SteppableRaftNode leader = leader();
        final Recorder service = new Recorder();
        await(leader.attach(service));
        step(10);
        assertTrue(service.cycles >= 10, "polled every duty cycle: " + service.cycles);
        await(leader.detach(service));
        assertTrue(service.detached);
        final int cycles = service.cycles;
        step(10);
        assertEquals(cycles, service.cycles);
        assertTrue(await(leader.detach(service)) == null, "detaching again is a no-op");
    }
}
