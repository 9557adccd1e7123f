package dev.raft.core.internal.runtime;

import dev.raft.api.config.RaftConfig;
import java.util.concurrent.TimeUnit;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * Where a node's agent runs: on its own daemon {@link AgentRunner} thread, named after the agent and idling
 * as {@link RaftConfig#idleMode()} says, or stepped by the embedding program through an {@link AgentInvoker}.
 * Started and closed once, under the node's lock; {@link #step()} from the stepping thread.
 */
final class NodeThread {
    private final int nodeId;
    private final boolean stepped;
    private final RaftConfig config;
    private volatile AgentRunner runner;
    private volatile AgentInvoker invoker;

    /** @param stepped true for an agent driven by {@link #step()}, false for one on its own thread */
    NodeThread(int nodeId, boolean stepped, RaftConfig config) {
        this.nodeId = nodeId;
        this.stepped = stepped;
        this.config = config;
    }

    /** Starts {@code agent}: its {@code onStart}, then its duty cycles; {@code errors} hears what they throw. */
    void start(Agent agent, ErrorHandler errors) {
        if (stepped) {
            final AgentInvoker agentInvoker = new AgentInvoker(errors, null, agent);
            agentInvoker.start();
            invoker = agentInvoker;
        } else {
            final AgentRunner agentRunner = new AgentRunner(idleStrategy(config), errors, null, agent);
            runner = agentRunner;
            AgentRunner.startOnThread(agentRunner, r -> {
                final Thread t = new Thread(r, agent.roleName());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** One duty cycle of a stepped agent; returns its work count. */
    int step() {
        final AgentInvoker agentInvoker = invoker;
        if (agentInvoker == null) {
            throw new IllegalStateException("node " + nodeId + (stepped ? " is not started" : " runs on its own thread"));
        }
        return agentInvoker.invoke();
    }

    /**
     * Stops the agent, which runs its {@code onClose} (on its thread, if it has one) before this returns.
     *
     * @return false if the agent was never started (its {@code onClose} did not run)
     */
    boolean close() {
        final AgentRunner agentRunner = runner;
        final AgentInvoker agentInvoker = invoker;
        if (agentRunner != null) {
            agentRunner.close();
        } else if (agentInvoker != null) {
            agentInvoker.close();
        } else {
            return false;
        }
        return true;
    }

    private static IdleStrategy idleStrategy(RaftConfig config) {
        return switch (config.idleMode()) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(config.maxParkMicros()));
        };
    }
}
