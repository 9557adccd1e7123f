package dev.raft.core;

import dev.raft.api.RaftNode;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.Transport;
import dev.raft.core.internal.runtime.NodeRuntime;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Builds a node from explicit parts, without Guice: the configuration, storage, state machine and
 * transport, plus the injectable sources of non-determinism (clock and randomness). {@link #build()}
 * gives a node that runs on its own thread (an Agrona {@code AgentRunner} with the configured idle
 * strategy); {@link #buildSteppable()} a node driven by its owner's calls to
 * {@link SteppableRaftNode#step()}.
 *
 * <p>The node owns the parts it is given: closing it closes them.
 */
public final class RaftNodeBuilder {
    private final RaftConfig config;
    private LogStore logStore;
    private SnapshotStore snapshotStore;
    private StateMachine stateMachine;
    private Transport transport;
    private NanoClock clock = SystemNanoClock.INSTANCE;
    private RandomGenerator random;
    private RaftCounters counters;

    private RaftNodeBuilder(RaftConfig config) {
        if (config == null) {
            throw new IllegalArgumentException("RaftNodeBuilder: config must not be null");
        }
        this.config = config;
    }

    /** A builder for a node with this configuration. */
    public static RaftNodeBuilder forConfig(RaftConfig config) {
        return new RaftNodeBuilder(config);
    }

    /** The node's log and vote store (required). */
    public RaftNodeBuilder logStore(LogStore v) {
        logStore = v;
        return this;
    }

    /** The node's snapshot store (required). */
    public RaftNodeBuilder snapshotStore(SnapshotStore v) {
        snapshotStore = v;
        return this;
    }

    /** The replicated state machine (required). */
    public RaftNodeBuilder stateMachine(StateMachine v) {
        stateMachine = v;
        return this;
    }

    /** The transport to the other members (required). */
    public RaftNodeBuilder transport(Transport v) {
        transport = v;
        return this;
    }

    /** The clock timers run on. Default: {@link SystemNanoClock}. */
    public RaftNodeBuilder clock(NanoClock v) {
        clock = v;
        return this;
    }

    /** The source of election-timeout jitter; seed it for reproducible runs. Default: an unseeded {@link SplittableRandom}. */
    public RaftNodeBuilder random(RandomGenerator v) {
        random = v;
        return this;
    }

    /**
     * Where the node allocates its counters; see {@link RaftCounters}. Default: {@link RaftCounters#inMemory()}.
     * The node closes them when it closes.
     */
    public RaftNodeBuilder counters(RaftCounters v) {
        counters = v;
        return this;
    }

    /**
     * Counters in a memory-mapped file in {@code directory} that other processes can read:
     * {@code counters(RaftCounters.mappedFile(directory, nodeId))}.
     */
    public RaftNodeBuilder countersDirectory(Path directory) {
        counters = RaftCounters.mappedFile(directory, config.nodeId());
        return this;
    }

    /**
     * A node that runs on its own thread once started.
     *
     * @throws IllegalArgumentException naming the missing part
     */
    public RaftNode build() {
        return create(false);
    }

    /**
     * A node without a thread, stepped by its owner.
     *
     * @throws IllegalArgumentException naming the missing part
     */
    public SteppableRaftNode buildSteppable() {
        return create(true);
    }

    private NodeRuntime create(boolean stepped) {
        require(logStore, "logStore");
        require(snapshotStore, "snapshotStore");
        require(stateMachine, "stateMachine");
        require(transport, "transport");
        require(clock, "clock");
        if (transport.localId() != config.nodeId()) {
            throw new IllegalArgumentException("RaftNodeBuilder: transport serves node " + transport.localId()
                + " but RaftConfig.nodeId is " + config.nodeId());
        }
        return new NodeRuntime(config, logStore, snapshotStore, stateMachine, transport, clock,
            random == null ? new SplittableRandom() : random, counters == null ? RaftCounters.inMemory() : counters,
            stepped);
    }

    private void require(Object part, String name) {
        if (part == null) {
            throw new IllegalArgumentException("RaftNodeBuilder: " + name + " is required for node " + config.nodeId());
        }
    }
}
