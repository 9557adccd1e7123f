package dev.raft.core;

import dev.raft.api.RaftNode;

/**
 * A {@link RaftNode} without a thread of its own: after {@link #start()}, the owner drives it by calling
 * {@link #step()} (one duty cycle through an Agrona {@code AgentInvoker}), from one thread at a time. A
 * deterministic simulation steps many nodes in one thread with an injected clock and randomness.
 */
public interface SteppableRaftNode extends RaftNode {
    /**
     * Runs one duty cycle, in this order: reads the clock; takes the log store's durability report; polls
     * the transport (each message handled and its commands executed); takes queued proposals; fires due
     * timers (and hands the proposals to the log as one append); runs queued admin requests and finished
     * snapshot builds; checks the snapshot policy; publishes metrics and counters; completes the client
     * futures whose outcome the cycle decided (on the calling thread, after the poll returned).
     *
     * @return the amount of work done (0 when idle)
     * @throws IllegalStateException if the node was not started
     */
    int step();
}
