package dev.raft.core;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.Transport;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Binds {@link RaftNode} (a singleton running on its own thread once started) and {@link RaftConfig}.
 * The {@link LogStore}, {@link SnapshotStore}, {@link StateMachine} and {@link Transport} come from other
 * modules' bindings. The clock ({@link NanoClock}, default {@link SystemNanoClock}) and the election
 * jitter's {@link RandomGenerator} (default: an unseeded {@link SplittableRandom}) and the counters'
 * allocator {@link RaftCounters} (default: {@link RaftCounters#inMemory()}; e.g.
 * {@link RaftCounters#mappedFile} for counters other processes read) may be overridden with
 * {@code OptionalBinder.newOptionalBinder(binder(), NanoClock.class).setBinding()...}.
 */
public final class RaftModule extends AbstractModule {
    private final RaftConfig config;

    /** A module for the node configured by {@code config}. */
    public RaftModule(RaftConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("RaftModule: config must not be null");
        }
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(RaftConfig.class).toInstance(config);
        OptionalBinder.newOptionalBinder(binder(), NanoClock.class).setDefault().toInstance(SystemNanoClock.INSTANCE);
        OptionalBinder.newOptionalBinder(binder(), RandomGenerator.class).setDefault().toProvider(SplittableRandom::new);
        OptionalBinder.newOptionalBinder(binder(), RaftCounters.class).setDefault().toProvider(RaftCounters::inMemory);
    }

    /**
     * The node, built from the bound parts.
     *
     * @param logStore      the bound log store
     * @param snapshotStore the bound snapshot store
     * @param stateMachine  the bound state machine
     * @param transport     the bound transport
     * @param clock         the bound clock
     * @param random        the bound randomness
     * @param counters      the bound counters' allocator
     * @return the node (not started)
     */
    @Provides
    @Singleton
    public RaftNode raftNode(LogStore logStore, SnapshotStore snapshotStore, StateMachine stateMachine,
                             Transport transport, NanoClock clock, RandomGenerator random, RaftCounters counters) {
        return RaftNodeBuilder.forConfig(config).logStore(logStore).snapshotStore(snapshotStore)
            .stateMachine(stateMachine).transport(transport).clock(clock).random(random).counters(counters).build();
    }
}
