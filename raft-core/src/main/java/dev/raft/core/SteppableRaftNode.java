package dev.raft.core;

import dev.raft.api.RaftNode;

/**
 * A {@link RaftNode} without a thread of its own: after {@link #start()}, the owner drives it by calling
 * {@link #step()} (one duty cycle through an Agrona {@code AgentInvoker}), from one thread at a time. A
 * deterministic simulation steps many nodes in one thread with an injected clock and randomness.
 */
public interface SteppableRaftNode extends RaftNode {
    /**
     * Runs one duty cycle: reads the clock, fires due timers, takes durability reports, polls the
     * transport, takes queued proposals and publishes metrics.
     *
     * @return the amount of work done (0 when idle)
     * @throws IllegalStateException if the node was not started
     */
    int step();
}
