package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
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
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.agrona.concurrent.CachedNanoClock;

/**
 * Three stepped runtime nodes on in-memory disks and a {@link LocalNetwork}, on a manual clock: the fixture of the
 * deterministic runtime tests ({@link ReadsRuntimeTest}, {@link NodeServiceRuntimeTest}).
 */
final class SteppedNodes {
    final CachedNanoClock clock = new CachedNanoClock();
    final LocalNetwork network;
    final List<SteppableRaftNode> nodes = new ArrayList<>();
    private final long randomBase;

    SteppedNodes(long networkSeed, long randomBase) {
        clock.update(TimeUnit.SECONDS.toNanos(1));
        network = new LocalNetwork(clock, networkSeed);
        this.randomBase = randomBase;
    }

    /** Builds and starts nodes 1..3, each with the state machine {@code wrap} makes of a fresh key-value map. */
    void start(Function<KvStateMachine, StateMachine> wrap) {
        for (int id = 1; id <= 3; id++) {
            final InMemoryDisk disk = new InMemoryDisk();
            final RaftConfig config = RaftConfig.builder().nodeId(id).initialMembership(Membership.of(1, 2, 3)).build();
            nodes.add(RaftNodeBuilder.forConfig(config).logStore(disk.openLogStore(FlushMode.IMMEDIATE))
                .snapshotStore(disk.openSnapshotStore()).stateMachine(wrap.apply(new KvStateMachine()))
                .transport(network.register(id)).clock(clock).random(new SplittableRandom(randomBase + id))
                .buildSteppable());
        }
        nodes.forEach(SteppableRaftNode::start);
    }

    /** Advances the clock {@code millis} milliseconds, stepping every node after each. */
    void step(int millis) {
        for (int i = 0; i < millis; i++) {
            clock.advance(TimeUnit.MILLISECONDS.toNanos(1));
            nodes.forEach(SteppableRaftNode::step);
        }
    }

    /** Steps until {@code done} holds, at most 5 s of simulated time; whether it held. */
    boolean stepUntil(BooleanSupplier done) {
        for (int i = 0; i < 5000 && !done.getAsBoolean(); i++) {
            step(1);
        }
        return done.getAsBoolean();
    }

    /** Steps until the future is done (at most 5 s of simulated time) and returns its value. */
    <T> T await(CompletableFuture<T> future) {
        assertTrue(stepUntil(future::isDone), "completed within 5 s of simulated time");
        return future.join();
    }

    /** The leader once one is elected, after 100 ms more so that the blank entry of its term commits. */
    SteppableRaftNode leader() {
        for (int i = 0; i < 5000; i++) {
            for (SteppableRaftNode n : nodes) {
                if (n.metrics().role() == Role.LEADER) {
                    step(100);
                    return n;
                }
            }
            step(1);
        }
        throw new AssertionError("no leader");
    }

    /** A node other than {@code node}. */
    SteppableRaftNode other(SteppableRaftNode node) {
        return nodes.stream().filter(n -> n != node).findFirst().orElseThrow();
    }
}
