package dev.raft.core.internal.runtime;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.ReadPolicy;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.service.NodeService;
import dev.raft.api.transport.Transport;
import dev.raft.core.RaftCounters;
import dev.raft.core.SteppableRaftNode;
import dev.raft.core.internal.engine.RaftEngine;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.NanoClock;
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
 * The runtime runs on its own {@link AgentRunner} thread or is stepped by an {@link AgentInvoker}
 * ({@link NodeThread}).
 *
 * <p>The parts, one concern each: {@link RequestIntake} (the API calls from any thread, checked and queued),
 * {@link Recovery} (loading durable state), {@link AppendFiller} (AppendEntries from the {@link EntryCache} or
 * the store), {@link Applier} (apply and the pending proposals), {@link ReadRequests}, {@link MembershipAdmin},
 * {@link NodeServices}, {@link SnapshotBuilds}, {@link SnapshotReceiving}, {@link SnapshotReaders},
 * {@link NodeMetrics} (publishing) and {@link Teardown} (stopping after a fatal error, and closing).
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

    private final int nodeId;
    private final LogStore logStore;
    private final SnapshotStore snapshotStore;
    private final Transport transport;
    private final NanoClock clock;
    private final NodeThread thread;
    private final RaftEngine engine;
    private final FailStop failStop;
    private final FlushReports flushes;
    private final EntryCache cache;
    private final Applier applier;
    private final SnapshotReaders readers;
    private final SnapshotBuilds builds;
    private final CommandExecutor executor;
    private final MembershipAdmin admin;
    private final ReadRequests reads;
    private final RequestIntake intake;
    private final NodeServices services;
    private final NodeMetrics metrics;
    private final Teardown teardown;
    private final MessageHandler messageHandler = this::onMessage;
    private final AtomicBoolean started = new AtomicBoolean();

    private long handlerErrors;
    private long lastReaderSweep;

    /**
     * Use {@code dev.raft.core.RaftNodeBuilder} or {@code dev.raft.core.RaftModule}.
     *
     * @param stepped true for a node driven by {@link #step()}, false for one on its own thread
     */
    public NodeRuntime(RaftConfig config, LogStore logStore, SnapshotStore snapshotStore, StateMachine stateMachine,
                       Transport transport, NanoClock clock, RandomGenerator random, RaftCounters counterAllocator,
                       boolean stepped) {
        this.nodeId = config.nodeId();
        this.logStore = logStore;
        this.snapshotStore = snapshotStore;
        this.transport = transport;
        this.clock = clock;
        this.thread = new NodeThread(nodeId, stepped, config);
        this.failStop = new FailStop(nodeId);
        this.flushes = new FlushReports(failStop::record);
        final long cacheRetainEntries = Math.min(1 << 20,
            Math.max(1024, 4L * config.maxEntriesPerAppend() * config.maxInflightAppends()));
        // in steady state the cache holds the retained window plus a dead prefix as long (a trim waits for that) and
        // an append or two: a busy node reserves that at once (at most 2^18 entries, 5 MiB per batch)
        this.cache = new EntryCache(1 << 20, 1024, CACHE_MAX_BYTES,
            (int) Math.min(1 << 18, 2 * cacheRetainEntries + 2L * config.maxEntriesPerAppend()));
        this.engine = new RaftEngine(config, random, new AppendFiller(logStore, cache));
        this.applier = new Applier(nodeId, stateMachine, logStore, cache);
        this.readers = new SnapshotReaders(nodeId, snapshotStore, transport);
        final SnapshotReceiving receiving = new SnapshotReceiving(nodeId, snapshotStore, applier, readers);
        this.reads = new ReadRequests(nodeId, stateMachine, engine, applier, config.proposalQueueCapacity(),
            TimeUnit.MILLISECONDS.toNanos(4 * config.electionTimeoutMaxMillis()));
        this.admin = new MembershipAdmin(nodeId, engine, this::executeCommands);
        this.services = new NodeServices(nodeId, config.maxBytesPerAppend(), engine, applier, reads,
            this::stopped);
        this.intake = new RequestIntake(nodeId, config.maxBytesPerAppend(), config.proposalQueueCapacity(), failStop,
            engine, applier, reads, admin, services);
        this.builds = new SnapshotBuilds(nodeId, config.snapshotEveryAppliedEntries(), engine, stateMachine,
            snapshotStore, clock, applier, readers, intake.adminFutures(), this::executeCommands);
        this.executor = new CommandExecutor(engine, logStore, transport, cache, flushes, applier, receiving, readers,
            builds, admin, reads, cacheRetainEntries);
        this.metrics = new NodeMetrics(nodeId, config.initialMembership(), counterAllocator);
        this.teardown = new Teardown(nodeId, failStop, metrics, applier, admin, reads, intake, services, transport,
            logStore, builds, receiving, readers, snapshotStore);
    }

    // ------------------------------------------------------------------ RaftNode API (any thread)

    @Override
    public int id() {
        return nodeId;
    }

    @Override
    public synchronized void start() {
        if (intake.isClosed()) {
            throw new NodeClosedException(nodeId, "start");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("node " + nodeId + " was already started");
        }
        executor.purgedLogId(Recovery.load(logStore, snapshotStore, applier, readers, engine, flushes,
            clock.nanoTime()));
        transport.updateMembership(engine.routes());
        publish();
        thread.start(this, this::onAgentError);
        LOG.info("node {} started: {}", nodeId, engine);
    }

    @Override
    public int step() {
        return thread.step();
    }

    @Override
    public CompletableFuture<byte[]> propose(DirectBuffer command, int offset, int length) {
        return intake.propose(command, offset, length);
    }

    @Override
    public CompletableFuture<byte[]> read(ReadPolicy policy, DirectBuffer query, int offset, int length) {
        return intake.read(policy, query, offset, length);
    }

    @Override
    public CompletableFuture<SnapshotMeta> triggerSnapshot() {
        return intake.triggerSnapshot(builds);
    }

    @Override
    public CompletableFuture<Membership> changeMembership(int[] voters, int[] learners) {
        return changeMembership(-1, voters, learners);
    }

    @Override
    public CompletableFuture<Membership> changeMembership(long expectedConfigIndex, int[] voters, int[] learners) {
        return intake.changeMembership(expectedConfigIndex, voters, learners);
    }

    @Override
    public CompletableFuture<Membership> addLearner(int id, String endpoint) {
        return intake.addLearner(id, endpoint);
    }

    @Override
    public CompletableFuture<Void> transferLeadership(int targetId) {
        return intake.transferLeadership(targetId);
    }

    @Override
    public CompletableFuture<Void> attach(NodeService service) {
        return intake.attach(service);
    }

    @Override
    public CompletableFuture<Void> detach(NodeService service) {
        return intake.detach(service);
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
        if (!intake.close()) {
            return;
        }
        if (!thread.close()) { // else onClose ran on the node thread
            onClose();
        }
        intake.failQueued(); // proposals that raced with the agent's last drain
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
            teardown.afterFailure();
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
        work += intake.drainProposals(PROPOSAL_DRAIN_LIMIT);
        engine.tick(now);
        executeCommands();
        reads.serveApplied(now);
        work += intake.drainCommands(COMMAND_DRAIN_LIMIT);
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
        teardown.close();
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

    // ------------------------------------------------------------------ events (node thread)

    /** Whether the node failed or is closed (a service's calls are then refused). */
    private boolean stopped() {
        return failStop.failed() || intake.isClosed();
    }

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

    private void publish() {
        metrics.publish(engine, applier.appliedIndex(), applier.snapshotLastLogId(), executor.purgedLogId());
    }

    /** The engine, for tests in this module. */
    RaftEngine engine() {
        return engine;
    }
}
