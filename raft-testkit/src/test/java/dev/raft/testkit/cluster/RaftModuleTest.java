package dev.raft.testkit.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.multibindings.OptionalBinder;
import dev.raft.api.Membership;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.core.RaftModule;
import dev.raft.testkit.memory.InMemoryStorageModule;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.network.LocalTransportModule;
import dev.raft.testkit.statemachine.KvStateMachine;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wiring a node with Guice: the node is a singleton and the clock binding can be overridden. */
class RaftModuleTest {
    @Test
    @Timeout(30)
    void theInjectedClockDrivesTheNodesTimers() throws Exception {
        final CachedNanoClock clock = new CachedNanoClock();
        final RaftConfig config = RaftConfig.builder().nodeId(1).initialMembership(Membership.of(1)).build();
        final Injector injector = Guice.createInjector(
            new RaftModule(config),
            new InMemoryStorageModule(),
            new LocalTransportModule(new LocalNetwork(), 1),
            binder -> {
                binder.bind(StateMachine.class).toInstance(new KvStateMachine());
                OptionalBinder.newOptionalBinder(binder, NanoClock.class).setBinding().toInstance(clock);
                OptionalBinder.newOptionalBinder(binder, RandomGenerator.class).setBinding()
                    .toInstance(new SplittableRandom(1));
            });
        final RaftNode node = injector.getInstance(RaftNode.class);
        assertSame(node, injector.getInstance(RaftNode.class), "one node per injector");
        try (node) {
            node.start();
            Thread.sleep(400); // real time passes, the injected clock does not: no election timeout fires
            assertEquals(Role.FOLLOWER, node.metrics().role());
            clock.advance(TimeUnit.SECONDS.toNanos(1));
            node.awaitMetrics(m -> m.role() == Role.LEADER && m.appliedIndex() == 1, Duration.ofSeconds(10));
        }
    }
}
