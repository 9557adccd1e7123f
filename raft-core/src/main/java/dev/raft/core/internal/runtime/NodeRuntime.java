package dev.raft.core.internal.runtime;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.ReadPolicy;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NodeFailedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.RaftException;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftCounters;
import dev.raft.core.SteppableRaftNode;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.metrics.CountersPublisher;
import dev.raft.core.internal.metrics.MetricsPublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime of one node: the {@code RaftNode} facade and an Agrona {@link Agent} that owns a
 * {@link RaftEngine} on one thread, feeds it events and executes the commands each event emits
 * ({@link CommandExecutor}) right after the event returns.
 *
 * <p>Each duty cycle: read the injected clock; hand the engine the log store's latest "flushed up to"
 * report ({@link FlushReports}); poll the transport (each message is an event, executed while the message
 * is valid); drain client proposals from a lock-free many-to-one queue; tick the engine (timers are
 * deadlines it keeps; the collected proposals go to the log as one append); run queued admin commands and
 * snapshot-build completions; check the snapshot policy; publish metrics and counters; and last complete
 * the client futures whose outcome the cycle decided — after the transport poll returned, never inside it.
 * The runtime runs on its own {@link AgentRunner} thread or is stepped by an {@link AgentInvoker}.
 *
 * <p>The parts, one concern each: {@link Recovery} (loading durable state), {@link AppendFiller}
 * (AppendEntries from the {@link EntryCache} or the store), {@link Applier} (apply and the pending
 * proposals), {@link SnapshotBuilds}, {@link SnapshotReceiving} and {@link SnapshotReaders}.
 */
public final class NodeRuntime implements SteppableRaftNode, Agent {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    private static final int POLL_LIMIT = 256;
    private static final int PROPOSAL_DRAIN_LIMIT = 4096;
    private static final int COMMAND_DRAIN_LIMIT = 16;
    /**
     * The most payload bytes the entry cache holds (older entries are read from the store): 64 MiB, or a sixteenth
     * of the heap limit (which is also the default direct-memory limit) if less. Its two direct buffers grow by
     * half at a time, so the cache may take about three times this; with a fixed 64 MiB, maximum-size entries made
     * a server with -Xmx192m fail on "Cannot reserve ... direct buffer memory".
     */
    private static final int CACHE_MAX_BYTES = (int) Math.min(64 << 20, Runtime.getRuntime().maxMemory() / 16);

    private final RaftConfig config;
    private final int nodeId;
    private final LogStore logStore;
    private final SnapshotStore snapshotStore;
    private final Transport transport;
    private final NanoClock clock;
    private final boolean stepped;
    private final RaftEngine engine;
    private final ManyToOneConcurrentArrayQueue<Proposal> proposals;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;
    private final ConcurrentLinkedQueue<CompletableFuture<?>> adminFutures = new ConcurrentLinkedQueue<>();
    private final FailStop failStop;
    private final FlushReports flushes;
    private final EntryCache cache = new EntryCache(1 << 20, 1024, CACHE_MAX_BYTES);
    private final Applier applier;
    private final SnapshotReaders readers;
    private final SnapshotReceiving receiving;
    private final SnapshotBuilds builds;
    private final CommandExecutor executor;
    private final MembershipAdmin admin;
    private final ReadRequests reads;
    private final NodeServices services;
    private final CountersPublisher counters;
    private final MetricsPublisher metrics;
    private final UnsafeBuffer proposalBuffer = new UnsafeBuffer(new byte[0]);
    private final MessageHandler messageHandler = this::onMessage;
    private final Consumer<Proposal> proposalHandler = this::onProposal;
    private final Consumer<Runnable> commandHandler = Runnable::run;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    private Role publishedRole = Role.FOLLOWER;
    private long handlerErrors;
    private long lastReaderSweep;
    private volatile AgentRunner runner;
    private volatile AgentInvoker invoker;

    /**
     * Use {@code dev.raft.core.RaftNodeBuilder} or {@code dev.raft.core.RaftModule}.
     *
     * @param stepped true for a node driven by {@link #step()}, false for one on its own thread
     */
    public NodeRuntime(RaftConfig config, LogStore logStore, SnapshotStore snapshotStore, StateMachine stateMachine,
                       Transport transport, NanoClock clock, RandomGenerator random, RaftCounters counterAllocator,
                       boolean stepped) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.logStore = logStore;
        this.snapshotStore = snapshotStore;
        this.transport = transport;
        this.clock = clock;
        this.stepped = stepped;
        this.failStop = new FailStop(nodeId);
        this.flushes = new FlushReports(failStop::record);
        final long cacheRetainEntries = Math.min(1 << 20,
            Math.max(1024, 4L * config.maxEntriesPerAppend() * config.maxInflightAppends()));
        this.engine = new RaftEngine(config, random, new AppendFiller(logStore, cache));
        this.applier = new Applier(nodeId, stateMachine, logStore, cache);
        this.readers = new SnapshotReaders(nodeId, snapshotStore, transport);
        this.receiving = new SnapshotReceiving(nodeId, snapshotStore, applier, readers);
        this.builds = new SnapshotBuilds(nodeId, config.snapshotEveryAppliedEntries(), engine, stateMachine,
            snapshotStore, clock, applier, readers, adminFutures, this::executeCommands);
        this.admin = new MembershipAdmin(nodeId, engine, this::executeCommands);
        this.reads = new ReadRequests(nodeId, stateMachine, engine, applier, config.proposalQueueCapacity(),
            TimeUnit.MILLISECONDS.toNanos(4 * config.electionTimeoutMaxMillis()));
        this.services = new NodeServices(nodeId, config.maxBytesPerAppend(), engine, applier, reads,
            () -> failStop.failed() || closed.get());
        this.executor = new CommandExecutor(engine, logStore, transport, cache, flushes, applier, receiving, readers,
            builds, admin, reads, cacheRetainEntries);
        this.proposals = new ManyToOneConcurrentArrayQueue<>(config.proposalQueueCapacity());
        this.commands = new ManyToOneConcurrentArrayQueue<>(1024);
        this.counters = new CountersPublisher(nodeId, counterAllocator);
        this.metrics = new MetricsPublisher(nodeId, config.initialMembership(), counters);
    }

    /** A client's command waiting for the node thread. */
    private record Proposal(byte[] command, CompletableFuture<byte[]> future) {
    }

    // ------------------------------------------------------------------ RaftNode API (any thread)

    @Override
    public int id() {
        return nodeId;
    }

    @Override
    public synchronized void start() {
        if (closed.get()) {
            throw new NodeClosedException(nodeId, "start");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("node " + nodeId + " was already started");
        }
        executor.purgedLogId(Recovery.load(logStore, snapshotStore, applier, readers, engine, flushes,
            clock.nanoTime()));
        transport.updateMembership(engine.routes());
        publish();
        if (stepped) {
            final AgentInvoker agentInvoker = new AgentInvoker(this::onAgentError, null, this);
            agentInvoker.start();
            invoker = agentInvoker;
        } else {
            final AgentRunner agentRunner = new AgentRunner(idleStrategy(config), this::onAgentError, null, this);
            runner = agentRunner;
            AgentRunner.startOnThread(agentRunner, r -> {
                final Thread t = new Thread(r, roleName());
                t.setDaemon(true);
                return t;
            });
        }
        LOG.info("node {} started: {}", nodeId, engine);
    }

    @Override
    public int step() {
        final AgentInvoker agentInvoker = invoker;
        if (agentInvoker == null) {
            throw new IllegalStateException("node " + nodeId + (stepped ? " is not started" : " runs on its own thread"));
        }
        return agentInvoker.invoke();
    }

    @Override
    public CompletableFuture<byte[]> propose(DirectBuffer command, int offset, int length) {
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (failStop.failed()) {
            future.completeExceptionally(failStop.error());
            return future;
        }
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "propose"));
            return future;
        }
        if (length > config.maxBytesPerAppend()) {
            // one entry must fit one AppendEntries: a larger one could never be replicated
            future.completeExceptionally(new RaftException("node " + nodeId + ": command of " + length
                + " bytes exceeds RaftConfig.maxBytesPerAppend = " + config.maxBytesPerAppend()));
            return future;
        }
        final byte[] copy = new byte[length];
        command.getBytes(offset, copy);
        if (!proposals.offer(new Proposal(copy, future))) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": proposal queue full ("
                + config.proposalQueueCapacity() + " waiting, RaftConfig.proposalQueueCapacity)"));
        } else if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "propose")); // raced with close
        }
        return future;
    }

    @Override
    public CompletableFuture<byte[]> read(ReadPolicy policy, DirectBuffer query, int offset, int length) {
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (failStop.failed()) {
            future.completeExceptionally(failStop.error());
            return future;
        }
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "read"));
            return future;
        }
        if (policy == null) {
            future.completeExceptionally(new IllegalArgumentException("node " + nodeId + ": read policy is null"));
            return future;
        }
        if (length > config.maxBytesPerAppend()) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": query of " + length
                + " bytes exceeds RaftConfig.maxBytesPerAppend = " + config.maxBytesPerAppend()));
            return future;
        }
        final byte[] copy = new byte[length];
        query.getBytes(offset, copy);
        if (!reads.offer(policy, copy, future)) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": read queue full ("
                + config.proposalQueueCapacity() + " waiting, RaftConfig.proposalQueueCapacity)"));
        } else if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "read")); // raced with close
        }
        return future;
    }

    @Override
    public CompletableFuture<SnapshotMeta> triggerSnapshot() {
        final CompletableFuture<SnapshotMeta> future = new CompletableFuture<>();
        if (failStop.failed()) {
            future.completeExceptionally(failStop.error());
            return future;
        }
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "triggerSnapshot"));
            return future;
        }
        adminFutures.add(future);
        if (!commands.offer(() -> builds.build(future))) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": admin command queue full"));
        } else if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "triggerSnapshot"));
        }
        return future;
    }

    @Override
    public CompletableFuture<Membership> changeMembership(int[] voters, int[] learners) {
        return changeMembership(-1, voters, learners);
    }

    @Override
    public CompletableFuture<Membership> changeMembership(long expectedConfigIndex, int[] voters, int[] learners) {
        final int[] v = voters.clone();
        final int[] l = learners.clone();
        return admin("changeMembership", (CompletableFuture<Membership> f) ->
            admin.change(f, () -> engine.changeMembership(expectedConfigIndex, v, l, java.util.Map.of())));
    }

    @Override
    public CompletableFuture<Membership> addLearner(int id, String endpoint) {
        return admin("addLearner", (CompletableFuture<Membership> f) ->
            admin.change(f, () -> engine.addLearner(id, endpoint)));
    }

    @Override
    public CompletableFuture<Void> transferLeadership(int targetId) {
        return admin("transferLeadership", (CompletableFuture<Void> f) -> admin.transfer(f, targetId));
    }

    @Override
    public CompletableFuture<Void> attach(dev.raft.api.service.NodeService service) {
        java.util.Objects.requireNonNull(service, "service");
        return admin("attach", (CompletableFuture<Void> f) -> {
            try {
                services.attach(service);
                f.complete(null);
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
    }

    @Override
    public CompletableFuture<Void> detach(dev.raft.api.service.NodeService service) {
        java.util.Objects.requireNonNull(service, "service");
        final CompletableFuture<Void> future = admin("detach", (CompletableFuture<Void> f) -> {
            services.detach(service);
            f.complete(null);
        });
        // a closed or failed node has detached every service already
        return future.isCompletedExceptionally() ? CompletableFuture.completedFuture(null) : future;
    }

    /** Queues an admin request for the node thread; its future fails at once if the node is closed or failed. */
    private <T> CompletableFuture<T> admin(String what, Consumer<CompletableFuture<T>> request) {
        final CompletableFuture<T> future = new CompletableFuture<>();
        if (failStop.failed()) {
            future.completeExceptionally(failStop.error());
            return future;
        }
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, what));
            return future;
        }
        adminFutures.add(future);
        if (!commands.offer(() -> {
            adminFutures.remove(future);
            request.accept(future);
        })) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": admin command queue full"));
        } else if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, what));
        }
        return future;
    }

    @Override
    public CompletableFuture<Throwable> terminated() {
        return failStop.terminated();
    }

    @Override
    public RaftMetrics metrics() {
        return metrics.read();
    }

    @Override
    public RaftMetrics awaitMetrics(Predicate<RaftMetrics> condition, Duration timeout)
        throws TimeoutException, InterruptedException {
        return metrics.await(condition, timeout);
    }

    @Override
    public synchronized void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        final AgentRunner agentRunner = runner;
        final AgentInvoker agentInvoker = invoker;
        if (agentRunner != null) {
            agentRunner.close(); // onClose runs on the node thread
        } else if (agentInvoker != null) {
            agentInvoker.close();
        } else {
            onClose();
        }
        failQueued(); // proposals that raced with the agent's last drain
        LOG.info("node {} closed", nodeId);
    }

    // ------------------------------------------------------------------ Agent (node thread)

    @Override
    public String roleName() {
        return "raft-node-" + nodeId;
    }

    @Override
    public int doWork() {
        if (failStop.failed()) {
            stopAfterFailure();
            throw new AgentTerminationException(failStop.cause());
        }
        try {
            return dutyCycle();
        } catch (Error e) {
            // Agrona's runner would rethrow an Error after its handler and end this thread without stopping the node
            failStop.record(e);
            return 1;
        }
    }

    private int dutyCycle() {
        int work = 0;
        final long now = clock.nanoTime();
        engine.advanceTime(now);
        final long flushed = flushes.takeChange();
        if (flushed >= 0) {
            engine.onLogFlushed(flushed);
            executeCommands();
            work++;
        }
        // messages that waited during a stall count before the timers are judged
        work += transport.poll(messageHandler, POLL_LIMIT);
        if (failStop.failed()) {
            return work; // a message handler failed fatally: stop at the next cycle, do nothing more now
        }
        work += reads.drain(now, PROPOSAL_DRAIN_LIMIT);
        if (!services.isEmpty()) {
            services.enter(now);
            work += services.doWork();
        }
        work += proposals.drain(proposalHandler, PROPOSAL_DRAIN_LIMIT);
        engine.tick(now);
        executeCommands();
        reads.serveApplied(now);
        if (!commands.isEmpty()) {
            work += commands.drain(commandHandler, COMMAND_DRAIN_LIMIT);
        }
        work += builds.drainCompletions();
        builds.maybeBuildByPolicy();
        if (readers.size() > 1 && now - lastReaderSweep > TimeUnit.MILLISECONDS.toNanos(100)) {
            lastReaderSweep = now;
            readers.closeUnused(engine::snapshotInUse);
        }
        // publish first, so that a client seeing its future complete also sees the applied index
        publish();
        if (applier.hasStaged()) {
            applier.completeStaged();
        }
        if (admin.hasStaged()) {
            admin.completeStaged();
        }
        if (reads.hasStaged()) {
            reads.completeStaged();
        }
        return work;
    }

    @Override
    public void onClose() {
        closed.set(true);
        final RuntimeException error = failStop.failed() ? failStop.error()
            : new NodeClosedException(nodeId, "pending proposal");
        applier.failAll(index -> error);
        applier.completeStaged();
        admin.failAll(error);
        admin.completeStaged();
        reads.failAll(error);
        failQueued();
        services.detachAll();
        Closing.quietly(nodeId, transport, "transport");
        Closing.quietly(nodeId, logStore, "log store");
        builds.close();
        receiving.close();
        readers.close();
        Closing.quietly(nodeId, snapshotStore, "snapshot store");
        metrics.shutdown();
        counters.close();
        failStop.stopped();
    }

    private void failQueued() {
        final Throwable cause = failStop.cause();
        final RuntimeException error = cause != null ? failStop.error() : new NodeClosedException(nodeId, "propose");
        proposals.drain(p -> p.future().completeExceptionally(error));
        reads.failAll(error);
        commands.clear();
        CompletableFuture<?> f;
        while ((f = adminFutures.poll()) != null) {
            f.completeExceptionally(cause != null ? error : new NodeClosedException(nodeId, "triggerSnapshot"));
        }
    }

    private void onAgentError(Throwable t) {
        if (t instanceof AgentTerminationException) {
            return;
        }
        if (FailStop.isFatal(t)) {
            failStop.record(t);
        } else {
            LOG.error("node {}: duty cycle failed", nodeId, t);
        }
    }

    /**
     * Node thread, once: the node stops voting, replicating and applying (its agent ends, and closing
     * releases the transport and storage, then completes {@link #terminated()}); publishes FAILED; fails every
     * pending future with the cause.
     */
    private void stopAfterFailure() {
        if (!failStop.firstHandling()) {
            return;
        }
        final Throwable cause = failStop.cause();
        LOG.error("node {} stops after a fatal error: {}", nodeId, cause.toString());
        LOG.debug("node {}: the fatal error", nodeId, cause); // the stack trace only at DEBUG
        metrics.fail();
        final NodeFailedException error = failStop.error();
        applier.failAll(index -> error);
        applier.completeStaged();
        admin.failAll(error);
        admin.completeStaged();
        reads.failAll(error);
        failQueued();
        // terminated() completes in onClose, once the transport and storage are released: a program that exits
        // on it (raftkv server) prints its last line after the node's own teardown
    }

    // ------------------------------------------------------------------ events (node thread)

    private void executeCommands() {
        executor.execute();
    }

    private void onMessage(RaftMessage message) {
        if (failStop.failed()) {
            return; // stopped: handles nothing more, even if the transport keeps delivering this poll
        }
        try {
            engine.onMessage(message);
            executeCommands(); // while the message (whose entries or chunk a command may refer to) is valid
        } catch (Throwable t) {
            if (FailStop.isFatal(t)) {
                // recorded here, not only rethrown: a transport's poll may catch what its handler throws
                failStop.record(t);
                return;
            }
            if (handlerErrors++ < 10) {
                LOG.warn("node {}: dropped message {} that failed: {}", nodeId, message, t.toString());
            }
        }
    }

    private void onProposal(Proposal p) {
        final RaftState state = engine.state();
        if (!state.isLeader()) {
            p.future().completeExceptionally(new NotLeaderException(nodeId, state.leaderId(), state.term()));
            return;
        }
        if (engine.transferTarget() != dev.raft.api.NodeId.NONE) {
            // fail fast, retriable: the leadership moves (or the transfer fails and this node resumes)
            p.future().completeExceptionally(new dev.raft.api.error.LeadershipTransferInProgressException(nodeId,
                engine.transferTarget(), state.term()));
            return;
        }
        proposalBuffer.wrap(p.command());
        applier.addProposal(engine.propose(proposalBuffer, 0, p.command().length), p.future());
    }

    private void publish() {
        final Role role = engine.state().role();
        if (role != publishedRole) {
            if (role == Role.LEADER || publishedRole == Role.LEADER) {
                LOG.info("node {}: {} -> {} in term {}", nodeId, publishedRole, role, engine.state().term());
            }
            publishedRole = role;
        }
        final LogId purged = executor.purgedLogId();
        metrics.update(engine, applier.appliedIndex(), applier.snapshotLastLogId(), purged);
        counters.update(engine.counters());
    }

    private static IdleStrategy idleStrategy(RaftConfig config) {
        return switch (config.idleMode()) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(config.maxParkMicros()));
        };
    }

    /** The engine, for tests in this module. */
    RaftEngine engine() {
        return engine;
    }
}
