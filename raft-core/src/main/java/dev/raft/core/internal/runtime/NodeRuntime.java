package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.RaftMetrics;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.NodeClosedException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.api.error.RaftException;
import dev.raft.api.error.StorageException;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.api.transport.MessageHandler;
import dev.raft.api.transport.Transport;
import dev.raft.core.SteppableRaftNode;
import dev.raft.core.internal.engine.EngineOutput;
import dev.raft.core.internal.engine.LogTerms;
import dev.raft.core.internal.engine.RaftEngine;
import dev.raft.core.internal.metrics.MetricsPublisher;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
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
 * The runtime of one node: an Agrona {@link Agent} that owns a {@link RaftEngine} on one thread and
 * executes its commands against the storage, state machine and transport.
 *
 * <p>Each duty cycle: read the injected clock; hand the engine the log store's latest "flushed up to"
 * report (flush callbacks may come from any thread: they only publish into an {@link AtomicLong}); poll
 * the transport directly (messages are valid only during the call and the engine copies what it keeps);
 * drain client proposals from a lock-free many-to-one queue; tick the engine (it keeps its timers as
 * deadlines and fires those due, after the messages that waited, and hands the collected proposals to
 * the log as one append); run queued admin commands; publish metrics if anything changed. The runtime runs on its own {@link AgentRunner} thread or is stepped by an
 * {@link AgentInvoker}.
 *
 * <p>The engine asks for AppendEntries by index range; the runtime fills them from a cache of recent
 * entries ({@link EntryCache}), falling back to {@link LogStore#read}, bounded by
 * {@code maxBytesPerAppend}. Committed entries are applied on this thread, in order; the proposer's
 * future completes with the state machine's response.
 *
 * <p>Snapshots: builds (every {@code snapshotEveryAppliedEntries} applied entries, or triggered) capture
 * the state on this thread and write it on a background thread, abortable; completions come back
 * through a queue. The engine decides what to write, install, purge and send; this runtime does the IO:
 * it writes received chunks positionally into a {@link SnapshotSink}, finishes and restores it on this
 * thread (so an install never interleaves with an apply), and reads outgoing chunks from the
 * {@link SnapshotReader} of the snapshot being sent (kept open while the engine still uses it).
 */
public final class NodeRuntime implements SteppableRaftNode, Agent {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
    private static final int POLL_LIMIT = 256;
    private static final int PROPOSAL_DRAIN_LIMIT = 4096;
    private static final int COMMAND_DRAIN_LIMIT = 16;
    private static final int READ_BYTES = 1 << 20;

    private final RaftConfig config;
    private final int nodeId;
    private final LogStore logStore;
    private final SnapshotStore snapshotStore;
    private final StateMachine stateMachine;
    private final Transport transport;
    private final NanoClock clock;
    private final boolean stepped;
    private final RaftEngine engine;
    private final ManyToOneConcurrentArrayQueue<Proposal> proposals;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands;
    private final ConcurrentLinkedQueue<CompletableFuture<?>> adminFutures = new ConcurrentLinkedQueue<>();
    private final AtomicLong flushedIndex = new AtomicLong();
    private final FlushCallback flushCallback = flushedIndex::lazySet;
    private final EntryCache cache = new EntryCache(1 << 20, 1024);
    /** Entries kept in the cache below the last one: four full pipelining windows of one follower. */
    private final long cacheRetainEntries;
    private final EntryBatch appendScratch = new EntryBatch();
    private final EntryBatch readScratch = new EntryBatch();
    private final PendingProposals pending = new PendingProposals();
    private final MetricsPublisher metrics;
    private final UnsafeBuffer proposalBuffer = new UnsafeBuffer(new byte[0]);
    private final MessageHandler messageHandler = this::onMessage;
    private final Consumer<Proposal> proposalHandler = this::onProposal;
    private final Consumer<Runnable> commandHandler = Runnable::run;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    private long appliedIndex;
    /** The applied index the last build started at. */
    private long lastBuildIndex;
    private long flushedSeen;
    private LogId snapshotLastLogId = LogId.NONE;
    private LogId purgedLogId = LogId.NONE;
    private Role publishedRole = Role.FOLLOWER;
    private long handlerErrors;
    private volatile Throwable fatalError;
    private volatile AgentRunner runner;
    private volatile AgentInvoker invoker;
    private ExecutorService snapshotExecutor;
    /** Build completions, posted by the snapshot thread, run on the node thread. */
    private final ConcurrentLinkedQueue<Runnable> buildCompletions = new ConcurrentLinkedQueue<>();
    /** The local build in progress, or null: set to abort it. */
    private AtomicBoolean buildAbort;
    /** The snapshot being received from the leader, or null. */
    private SnapshotSink receiving;
    /** Readers of the current snapshot and of older ones still being sent, by snapshot id. */
    private final Map<String, SnapshotReader> readers = new HashMap<>();
    private long lastReaderSweep;

    /**
     * Use {@code dev.raft.core.RaftNodeBuilder} or {@code dev.raft.core.RaftModule}.
     *
     * @param stepped true for a node driven by {@link #step()}, false for one on its own thread
     */
    public NodeRuntime(RaftConfig config, LogStore logStore, SnapshotStore snapshotStore, StateMachine stateMachine,
                       Transport transport, NanoClock clock, RandomGenerator random, boolean stepped) {
        this.config = config;
        this.nodeId = config.nodeId();
        this.logStore = logStore;
        this.snapshotStore = snapshotStore;
        this.stateMachine = stateMachine;
        this.transport = transport;
        this.clock = clock;
        this.stepped = stepped;
        this.cacheRetainEntries = Math.min(1 << 20,
            Math.max(1024, 4L * config.maxEntriesPerAppend() * config.maxInflightAppends()));
        this.engine = new RaftEngine(config, random, new Output());
        this.proposals = new ManyToOneConcurrentArrayQueue<>(config.proposalQueueCapacity());
        this.commands = new ManyToOneConcurrentArrayQueue<>(1024);
        this.metrics = new MetricsPublisher(nodeId, config.initialMembership(), engine.peerIds());
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
        loadState();
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
    public CompletableFuture<SnapshotMeta> triggerSnapshot() {
        final CompletableFuture<SnapshotMeta> future = new CompletableFuture<>();
        if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "triggerSnapshot"));
            return future;
        }
        adminFutures.add(future);
        if (!commands.offer(() -> buildSnapshot(future))) {
            future.completeExceptionally(new RaftException("node " + nodeId + ": admin command queue full"));
        } else if (closed.get()) {
            future.completeExceptionally(new NodeClosedException(nodeId, "triggerSnapshot"));
        }
        return future;
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
        final Throwable fatal = fatalError;
        if (fatal != null) {
            throw new AgentTerminationException(fatal);
        }
        int work = 0;
        final long now = clock.nanoTime();
        engine.advanceTime(now);
        final long flushed = flushedIndex.get();
        if (flushed != flushedSeen) {
            flushedSeen = flushed;
            engine.onLogFlushed(flushed);
            work++;
        }
        // messages that waited during a stall count before the timers are judged
        work += transport.poll(messageHandler, POLL_LIMIT);
        work += proposals.drain(proposalHandler, PROPOSAL_DRAIN_LIMIT);
        engine.tick(now);
        if (!commands.isEmpty()) {
            work += commands.drain(commandHandler, COMMAND_DRAIN_LIMIT);
        }
        Runnable completion;
        while ((completion = buildCompletions.poll()) != null) {
            completion.run();
            work++;
        }
        if (readers.size() > 1 && now - lastReaderSweep > TimeUnit.MILLISECONDS.toNanos(100)) {
            lastReaderSweep = now;
            closeUnusedReaders();
        }
        metrics.update(engine, appliedIndex, snapshotLastLogId, purgedLogId);
        return work;
    }

    @Override
    public void onClose() {
        closed.set(true);
        final NodeClosedException error = new NodeClosedException(nodeId, "pending proposal");
        pending.failAll(index -> error);
        failQueued();
        closeQuietly(transport, "transport");
        closeQuietly(logStore, "log store");
        if (buildAbort != null) {
            buildAbort.set(true);
        }
        if (receiving != null) {
            receiving.abort();
            receiving = null;
        }
        readers.values().forEach(r -> closeQuietly(r, "snapshot reader"));
        readers.clear();
        closeQuietly(snapshotStore, "snapshot store");
        if (snapshotExecutor != null) {
            snapshotExecutor.shutdownNow();
        }
        metrics.shutdown();
    }

    private void failQueued() {
        final NodeClosedException error = new NodeClosedException(nodeId, "propose");
        proposals.drain(p -> p.future().completeExceptionally(error));
        commands.clear();
        CompletableFuture<?> f;
        while ((f = adminFutures.poll()) != null) {
            f.completeExceptionally(new NodeClosedException(nodeId, "triggerSnapshot"));
        }
    }

    private void onAgentError(Throwable t) {
        if (t instanceof AgentTerminationException) {
            return;
        }
        if (t instanceof Error || (t instanceof StorageException s && s.isFatal()) || t instanceof IOException) {
            if (fatalError == null) {
                fatalError = t;
                LOG.error("node {} stops after a fatal error", nodeId, t);
            }
        } else {
            LOG.error("node {}: duty cycle failed", nodeId, t);
        }
    }

    // ------------------------------------------------------------------ inputs (node thread)

    private void onMessage(RaftMessage message) {
        try {
            engine.onMessage(message);
        } catch (RuntimeException e) {
            if (e instanceof StorageException s && s.isFatal()) {
                throw e;
            }
            if (handlerErrors++ < 10) {
                LOG.warn("node {}: dropped message {} that failed: {}", nodeId, message, e.toString());
            }
        }
    }

    private void onProposal(Proposal p) {
        if (!engine.isLeader()) {
            p.future().completeExceptionally(new NotLeaderException(nodeId, engine.leaderId(), engine.term()));
            return;
        }
        proposalBuffer.wrap(p.command());
        pending.add(engine.propose(proposalBuffer, 0, p.command().length), p.future());
    }

    // ------------------------------------------------------------------ start

    private void loadState() {
        final Vote vote = logStore.readVote();
        final LogId purged = logStore.lastPurgedLogId();
        final LogId last = logStore.lastLogId();
        final Optional<SnapshotReader> snapshot = snapshotStore.current();
        LogId purgedTo = purged;
        if (snapshot.isPresent()) {
            final SnapshotReader reader = snapshot.get();
            restore(reader);
            readers.put(reader.meta().snapshotId(), reader);
            engine.loadSnapshot(reader.meta(), reader.size());
            purgedTo = purgeAfterCrash(purged, last);
        }
        purgedLogId = purgedTo;
        final LogTerms terms = engine.log();
        final LogId lastHeld = logStore.lastLogId();
        terms.reset(purgedTo.index(), purgedTo.term());
        long index = purgedTo.index() + 1;
        while (index <= lastHeld.index()) {
            // terms never decrease along the log: binary-search the end of each run of equal terms
            final long term = logStore.termAt(index);
            long lo = index;
            long hi = lastHeld.index();
            while (lo < hi) {
                final long mid = (lo + hi + 1) >>> 1;
                if (logStore.termAt(mid) == term) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            terms.appendRun(term, index, lo);
            index = lo + 1;
        }
        flushedIndex.set(lastHeld.index());
        flushedSeen = lastHeld.index();
        engine.start(clock.nanoTime(), vote, appliedIndex);
        transport.updateMembership(engine.membership());
        metrics.update(engine, appliedIndex, snapshotLastLogId, purgedLogId);
    }

    /** Restores a snapshot into the state machine (node thread, so no apply interleaves). */
    private void restore(SnapshotReader reader) {
        try (InputStream in = reader.openStream()) {
            stateMachine.restore(reader.meta(), in);
        } catch (IOException e) {
            throw StorageException.fatal("node " + nodeId + ": restoring snapshot " + reader.meta().snapshotId()
                + " failed", e);
        }
        snapshotLastLogId = reader.meta().lastLogId();
        appliedIndex = snapshotLastLogId.index();
    }

    /**
     * A crash between installing a received snapshot and purging the log leaves a log that does not hold
     * the snapshot's last entry (or conflicts with it): finish the purge now.
     *
     * @return the log's purge point afterwards
     */
    private LogId purgeAfterCrash(LogId purged, LogId last) {
        final LogId snap = snapshotLastLogId;
        if (snap.index() <= purged.index()) {
            return purged;
        }
        if (snap.index() <= last.index() && logStore.termAt(snap.index()) == snap.term()) {
            return purged;
        }
        if (snap.index() <= last.index()) {
            logStore.truncateFrom(purged.index() + 1);
        }
        logStore.purgeUpTo(snap);
        return logStore.lastPurgedLogId();
    }

    private static IdleStrategy idleStrategy(RaftConfig config) {
        return switch (config.idleMode()) {
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELD -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MICROSECONDS.toNanos(config.maxParkMicros()));
        };
    }

    // ------------------------------------------------------------------ commands (node thread)

    /** Executes the engine's commands. */
    private final class Output implements EngineOutput {
        @Override
        public void persistVote(long term, int votedFor) {
            logStore.saveVote(new Vote(term, votedFor));
        }

        @Override
        public void appendToLog(EntryBatch entries, int fromPosition, int toPosition) {
            final EntryBatch batch;
            if (fromPosition == 0 && toPosition == entries.size()) {
                batch = entries;
            } else {
                batch = appendScratch.clear().addAll(entries, fromPosition, toPosition);
            }
            logStore.append(batch, flushCallback);
            cache.append(batch, 0, batch.size());
        }

        @Override
        public void truncateLog(long fromIndex) {
            logStore.truncateFrom(fromIndex);
            cache.truncateFrom(fromIndex);
            long current;
            while ((current = flushedIndex.get()) >= fromIndex && !flushedIndex.compareAndSet(current, fromIndex - 1)) {
                Thread.onSpinWait();
            }
            flushedSeen = Math.min(flushedSeen, fromIndex - 1);
        }

        @Override
        public void send(RaftMessage message) {
            transport.send(message);
        }

        @Override
        public long sendAppendEntries(AppendEntriesRequest request, long fromIndex, long toIndexMax) {
            final EntryBatch dst = request.entries();
            final int maxBytes = config.maxBytesPerAppend();
            long next = fromIndex;
            if (!cache.contains(fromIndex)) {
                final long storeEnd = cache.isEmpty() ? toIndexMax + 1 : Math.min(toIndexMax + 1, cache.firstIndex());
                next += logStore.read(fromIndex, storeEnd, maxBytes, dst);
            }
            if (next <= toIndexMax && dst.payloadBytes() < maxBytes) {
                cache.copyTo(dst, next, toIndexMax, maxBytes);
            }
            transport.send(request);
            return dst.isEmpty() ? fromIndex - 1 : dst.lastIndex();
        }

        @Override
        public void committed(long commitIndex) {
            applyUpTo(commitIndex);
        }

        @Override
        public void leadershipLost(long term) {
            final int leader = nodeId;
            pending.failAll(index -> new LeadershipLostException(leader, term, index));
        }

        @Override
        public void purgeLog(LogId upTo) {
            logStore.purgeUpTo(upTo);
            purgedLogId = logStore.lastPurgedLogId();
            if (!cache.isEmpty() && upTo.index() >= cache.lastIndex()) {
                cache.clear();
            } else {
                cache.trimBelow(upTo.index() + 1);
            }
            readScratch.clear();
        }

        @Override
        public void abortSnapshotBuild() {
            if (buildAbort != null) {
                buildAbort.set(true);
            }
        }

        @Override
        public void beginSnapshot(SnapshotMeta meta) {
            abortSnapshot();
            receiving = snapshotStore.begin(meta);
        }

        @Override
        public long writeSnapshotChunk(long position, DirectBuffer data, int length) {
            try {
                receiving.write(position, view(data, length));
            } catch (StorageException e) {
                if (e.isFatal()) {
                    throw e;
                }
                LOG.warn("node {}: writing {} bytes at {} of snapshot {} failed: {}", nodeId, length, position,
                    receiving.meta().snapshotId(), e.toString());
                return -1;
            }
            return receiving.contiguousBytes();
        }

        @Override
        public void abortSnapshot() {
            if (receiving != null) {
                receiving.abort();
                receiving = null;
            }
        }

        @Override
        public boolean installSnapshot(SnapshotMeta meta) {
            final SnapshotSink sink = receiving;
            receiving = null;
            final SnapshotReader reader;
            try {
                reader = sink.finish();
            } catch (StorageException | IllegalStateException e) {
                if (e instanceof StorageException s && s.isFatal()) {
                    throw e;
                }
                sink.abort();
                LOG.warn("node {}: finishing received snapshot {} failed: {}", nodeId, meta.snapshotId(), e.toString());
                return false;
            }
            restore(reader);
            readers.put(meta.snapshotId(), reader);
            LOG.info("node {}: installed snapshot {} ({} bytes)", nodeId, meta.snapshotId(), reader.size());
            return true;
        }

        @Override
        public void sendSnapshotChunk(InstallSnapshotRequest request, int length) {
            final SnapshotReader reader = readerFor(request.snapshotId());
            final MutableDirectBuffer data = request.dataBuffer();
            data.checkLimit(length);
            final ByteBuffer dst = view(data, length);
            long position = request.chunkOffset();
            while (dst.hasRemaining()) {
                final int n = reader.read(position, dst);
                if (n < 0) {
                    throw new IllegalStateException("node " + nodeId + ": snapshot " + request.snapshotId() + " of "
                        + reader.size() + " bytes ends before " + (request.chunkOffset() + length));
                }
                position += n;
            }
            request.dataLength(length);
            transport.send(request);
        }

        @Override
        public void stateChanged() {
            final Role role = engine.role();
            if (role != publishedRole) {
                if (role == Role.LEADER || publishedRole == Role.LEADER) {
                    LOG.info("node {}: {} -> {} in term {}", nodeId, publishedRole, role, engine.term());
                }
                publishedRole = role;
            }
        }
    }

    private void applyUpTo(long commitIndex) {
        while (appliedIndex < commitIndex) {
            final long index = appliedIndex + 1;
            final EntryView entry;
            if (cache.contains(index)) {
                entry = cache.entry(index);
            } else {
                if (readScratch.isEmpty() || index < readScratch.firstIndex() || index > readScratch.lastIndex()) {
                    readScratch.clear();
                    final long end = cache.isEmpty() || cache.firstIndex() <= index ? commitIndex + 1
                        : Math.min(commitIndex + 1, cache.firstIndex());
                    logStore.read(index, end, READ_BYTES, readScratch);
                }
                entry = readScratch.entry((int) (index - readScratch.firstIndex()));
            }
            final byte[] response = stateMachine.apply(entry);
            appliedIndex = index;
            if (pending.size() > 0) {
                pending.applied(index, response);
            }
        }
        readScratch.clear();
        if (pending.size() > 0) {
            // publish first, so that a client seeing its future complete also sees the applied index
            metrics.update(engine, appliedIndex, snapshotLastLogId, purgedLogId);
            pending.completeApplied();
        }
        cache.trimBelow(Math.min(appliedIndex + 1, engine.lastLogIndex() + 1 - cacheRetainEntries));
        maybeBuildByPolicy();
    }

    // ------------------------------------------------------------------ snapshots (admin command)

    /**
     * Starts a build off the node thread, for the policy ({@code future == null}) or a manual trigger.
     * Refused while another build runs or a snapshot is received.
     */
    private void buildSnapshot(CompletableFuture<SnapshotMeta> future) {
        if (!engine.beginSnapshotBuild()) {
            failBuild(future, new RaftException("node " + nodeId + ": a snapshot is already being built or received ("
                + engine.snapshotState() + ")"));
            return;
        }
        final SnapshotWriter writer = stateMachine.takeSnapshot();
        final LogId last = writer.lastApplied();
        if (last.isNone()) {
            engine.snapshotBuildEnded();
            failBuild(future, new RaftException("node " + nodeId + " has applied no entry: no snapshot to build"));
            return;
        }
        lastBuildIndex = last.index();
        final AtomicBoolean abort = new AtomicBoolean();
        buildAbort = abort;
        final SnapshotMeta meta = new SnapshotMeta(SnapshotMeta.idFor(last, clock.nanoTime() ^ nodeId), last,
            engine.membership());
        if (snapshotExecutor == null) {
            snapshotExecutor = Executors.newSingleThreadExecutor(r -> {
                final Thread t = new Thread(r, "raft-snapshot-" + nodeId);
                t.setDaemon(true);
                return t;
            });
        }
        snapshotExecutor.execute(() -> {
            SnapshotSink sink = null;
            try {
                sink = snapshotStore.begin(meta);
                try (OutputStream out = new BufferedOutputStream(new SinkOutputStream(sink, abort), 1 << 16)) {
                    writer.writeTo(out);
                }
                if (abort.get()) {
                    throw new IOException("aborted by a snapshot received from the leader");
                }
                final SnapshotReader reader = sink.finish();
                buildCompletions.add(() -> onBuilt(abort, reader, future));
            } catch (IOException | RuntimeException e) {
                if (sink != null) {
                    sink.abort();
                }
                buildCompletions.add(() -> {
                    endBuild(abort, null, 0);
                    failBuild(future, new RaftException("node " + nodeId + ": building snapshot " + meta.snapshotId()
                        + " failed", e));
                });
            }
        });
    }

    /** Node thread: a build finished durably. */
    private void onBuilt(AtomicBoolean abort, SnapshotReader reader, CompletableFuture<SnapshotMeta> future) {
        final SnapshotMeta meta = reader.meta();
        readers.put(meta.snapshotId(), reader);
        endBuild(abort, meta, reader.size());
        if (engine.currentSnapshot() != null) {
            snapshotLastLogId = engine.currentSnapshot().lastLogId();
        }
        closeUnusedReaders();
        if (future != null) {
            adminFutures.remove(future);
            future.complete(meta);
        }
    }

    /** A build ended; a build aborted and since replaced by another one leaves the engine's state alone. */
    private void endBuild(AtomicBoolean abort, SnapshotMeta meta, long size) {
        if (buildAbort == abort) {
            buildAbort = null;
            engine.snapshotBuildEnded();
        }
        if (meta != null) {
            engine.snapshotBuilt(meta, size);
        }
    }

    private void failBuild(CompletableFuture<SnapshotMeta> future, RaftException error) {
        if (future == null) {
            LOG.warn("node {}: {}", nodeId, error.getMessage());
            return;
        }
        adminFutures.remove(future);
        future.completeExceptionally(error);
    }

    /** The policy: a build every {@code snapshotEveryAppliedEntries} applied entries. */
    private void maybeBuildByPolicy() {
        final long every = config.snapshotEveryAppliedEntries();
        if (every > 0 && appliedIndex - Math.max(lastBuildIndex, snapshotLastLogId.index()) >= every
            && engine.snapshotIdle()) {
            buildSnapshot(null);
        }
    }

    private SnapshotReader readerFor(String snapshotId) {
        SnapshotReader reader = readers.get(snapshotId);
        if (reader == null) {
            final Optional<SnapshotReader> current = snapshotStore.current();
            if (current.isPresent() && current.get().meta().snapshotId().equals(snapshotId)) {
                reader = current.get();
                readers.put(snapshotId, reader);
            } else {
                current.ifPresent(r -> closeQuietly(r, "snapshot reader"));
                throw new IllegalStateException("node " + nodeId + ": snapshot " + snapshotId + " is no longer readable");
            }
        }
        return reader;
    }

    /** Closes the readers of snapshots neither current nor being sent. */
    private void closeUnusedReaders() {
        final Iterator<Map.Entry<String, SnapshotReader>> it = readers.entrySet().iterator();
        while (it.hasNext()) {
            final Map.Entry<String, SnapshotReader> e = it.next();
            if (!engine.snapshotInUse(e.getKey())) {
                closeQuietly(e.getValue(), "snapshot reader");
                it.remove();
            }
        }
    }

    /** A view of bytes {@code [0, length)} of {@code buffer} as a ByteBuffer positioned at them. */
    private static ByteBuffer view(DirectBuffer buffer, int length) {
        final int at = buffer.wrapAdjustment();
        if (buffer.byteBuffer() != null) {
            return buffer.byteBuffer().duplicate().limit(at + length).position(at);
        }
        return ByteBuffer.wrap(buffer.byteArray(), at, length);
    }

    /** Writes a snapshot stream into a sink at increasing positions; fails once the build is aborted. */
    private static final class SinkOutputStream extends OutputStream {
        private final SnapshotSink sink;
        private final AtomicBoolean abort;
        private long position;

        SinkOutputStream(SnapshotSink sink, AtomicBoolean abort) {
            this.sink = sink;
            this.abort = abort;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (abort.get()) {
                throw new IOException("snapshot build aborted");
            }
            sink.write(position, ByteBuffer.wrap(b, off, len));
            position += len;
        }
    }

    private void closeQuietly(AutoCloseable resource, String what) {
        try {
            resource.close();
        } catch (Exception e) {
            LOG.warn("node {}: closing the {} failed", nodeId, what, e);
        }
    }

    /** The engine, for tests in this module. */
    RaftEngine engine() {
        return engine;
    }
}
