package dev.raft.core.internal.runtime;

import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.ReadPolicy;
import dev.raft.api.Role;
import dev.raft.api.service.NodeContext;
import dev.raft.api.service.NodeService;
import dev.raft.api.service.OutcomeListener;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.engine.RaftState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services attached to a node ({@link dev.raft.api.RaftNode#attach}) and the {@link NodeContext} they use: each
 * duty cycle polls every service; a service's proposals go straight to the engine (no queue, no future) and its
 * reads straight to the {@link ReadRequests}, with their outcomes delivered to its listeners by the {@link Applier}
 * and the reads after the node published its metrics. Node thread only; the context refuses calls from any other.
 */
final class NodeServices implements NodeContext {
    private static final Logger LOG = LoggerFactory.getLogger(NodeServices.class);
    private static final int LOGGED_FAILURES = 10;

    private final int nodeId;
    private final int maxCommandBytes;
    private final RaftEngine engine;
    private final Applier applier;
    private final ReadRequests reads;
    private final BooleanSupplier stopped;
    private final List<NodeService> services = new ArrayList<>();
    private NodeService[] polled = new NodeService[0];
    private Thread owner;
    private long now;
    private long failures;

    NodeServices(int nodeId, int maxCommandBytes, RaftEngine engine, Applier applier, ReadRequests reads,
                 BooleanSupplier stopped) {
        this.nodeId = nodeId;
        this.maxCommandBytes = maxCommandBytes;
        this.engine = engine;
        this.applier = applier;
        this.reads = reads;
        this.stopped = stopped;
    }

    /** Node thread, each duty cycle before the services run: the thread allowed to use the context, and the time. */
    void enter(long nowNanos) {
        owner = Thread.currentThread();
        now = nowNanos;
    }

    /** Node thread: attaches a service and runs its {@code onAttach}. */
    void attach(NodeService service) {
        if (services.contains(service)) {
            throw new IllegalArgumentException("node " + nodeId + ": service " + service.serviceName()
                + " is already attached");
        }
        owner = Thread.currentThread();
        service.onAttach(this);
        services.add(service);
        polled = services.toArray(new NodeService[0]);
        LOG.info("node {}: service {} attached", nodeId, service.serviceName());
    }

    /** Node thread: detaches a service (if attached) and runs its {@code onDetach}. */
    void detach(NodeService service) {
        if (!services.remove(service)) {
            return;
        }
        polled = services.toArray(new NodeService[0]);
        owner = Thread.currentThread();
        detached(service);
    }

    /** Node thread, closing: detaches every service. */
    void detachAll() {
        owner = Thread.currentThread();
        final NodeService[] all = polled;
        services.clear();
        polled = new NodeService[0];
        for (NodeService service : all) {
            detached(service);
        }
    }

    private void detached(NodeService service) {
        try {
            service.onDetach();
        } catch (RuntimeException e) {
            LOG.warn("node {}: service {} failed to detach: {}", nodeId, service.serviceName(), e.toString());
        }
        LOG.info("node {}: service {} detached", nodeId, service.serviceName());
    }

    boolean isEmpty() {
        return polled.length == 0;
    }

    /** Node thread: one duty cycle of every service; a service that throws is logged (the first ten times) and skipped. */
    int doWork() {
        int work = 0;
        for (NodeService service : polled) {
            try {
                work += service.doWork(now);
            } catch (RuntimeException e) {
                if (failures++ < LOGGED_FAILURES) {
                    LOG.warn("node {}: service {} failed in its duty cycle: {}", nodeId, service.serviceName(),
                        e.toString());
                }
            }
        }
        return work;
    }

    // ------------------------------------------------------------------ NodeContext

    @Override
    public int nodeId() {
        return nodeId;
    }

    @Override
    public Role role() {
        return engine.state().role();
    }

    @Override
    public long term() {
        return engine.state().term();
    }

    @Override
    public int leaderId() {
        return engine.state().leaderId();
    }

    @Override
    public long lastLogIndex() {
        return engine.state().lastLogIndex();
    }

    @Override
    public long committedIndex() {
        return engine.state().commitIndex();
    }

    @Override
    public long appliedIndex() {
        return applier.appliedIndex();
    }

    @Override
    public Membership membership() {
        return engine.state().membership();
    }

    @Override
    public long propose(DirectBuffer command, int offset, int length, OutcomeListener listener, long correlation) {
        checkThread("propose");
        if (stopped.getAsBoolean()) {
            return STOPPED;
        }
        if (length > maxCommandBytes) {
            return TOO_LONG;
        }
        final RaftState state = engine.state();
        if (!state.isLeader()) {
            return NOT_LEADER;
        }
        if (engine.transferTarget() != NodeId.NONE) {
            return TRANSFER_IN_PROGRESS;
        }
        final long index = engine.propose(command, offset, length);
        if (index < 0) {
            return NOT_LEADER;
        }
        applier.addProposal(index, listener, correlation);
        return index;
    }

    @Override
    public long read(ReadPolicy policy, DirectBuffer query, int offset, int length, OutcomeListener listener,
                     long correlation) {
        checkThread("read");
        if (policy == null) {
            throw new IllegalArgumentException("node " + nodeId + ": read policy is null");
        }
        if (stopped.getAsBoolean()) {
            return STOPPED;
        }
        if (length > maxCommandBytes) {
            return TOO_LONG;
        }
        return reads.submitNow(policy, query, offset, length, listener, correlation, now) ? 0 : BUSY;
    }

    private void checkThread(String what) {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("node " + nodeId + ": NodeContext." + what + " called on thread "
                + Thread.currentThread().getName() + ", not on the node's thread");
        }
    }
}
