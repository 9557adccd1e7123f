package dev.raft.core.internal.runtime;

import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.RaftException;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.core.internal.engine.RaftEngine;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local snapshot builds: by policy (every {@code snapshotEveryAppliedEntries} applied entries, checked
 * between events) or triggered. The state is captured on the node thread and written on a background
 * thread, abortable; completions come back through a queue that the node thread drains.
 */
final class SnapshotBuilds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotBuilds.class);

    private final int nodeId;
    private final long everyAppliedEntries;
    private final RaftEngine engine;
    private final StateMachine stateMachine;
    private final SnapshotStore snapshotStore;
    private final NanoClock clock;
    private final Applier applier;
    private final SnapshotReaders readers;
    private final Collection<CompletableFuture<?>> adminFutures;
    /** Executes the commands of the engine's last event. */
    private final Runnable executeCommands;
    /** Build completions, posted by the snapshot thread, run on the node thread. */
    private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
    private ExecutorService executor;
    /** The local build in progress, or null: set to abort it. */
    private AtomicBoolean buildAbort;
    /** The applied index the last build started at. */
    private long lastBuildIndex;

    SnapshotBuilds(int nodeId, long everyAppliedEntries, RaftEngine engine, StateMachine stateMachine,
                   SnapshotStore snapshotStore, NanoClock clock, Applier applier, SnapshotReaders readers,
                   Collection<CompletableFuture<?>> adminFutures, Runnable executeCommands) {
        this.nodeId = nodeId;
        this.everyAppliedEntries = everyAppliedEntries;
        this.engine = engine;
        this.stateMachine = stateMachine;
        this.snapshotStore = snapshotStore;
        this.clock = clock;
        this.applier = applier;
        this.readers = readers;
        this.adminFutures = adminFutures;
        this.executeCommands = executeCommands;
    }

    /** The policy, between events: a build every {@code snapshotEveryAppliedEntries} applied entries. */
    void maybeBuildByPolicy() {
        if (everyAppliedEntries > 0 && applier.appliedIndex()
            - Math.max(lastBuildIndex, applier.snapshotLastLogId().index()) >= everyAppliedEntries
            && engine.snapshots().isIdle()) {
            build(null);
        }
    }

    /**
     * Starts a build off the node thread, for the policy ({@code future == null}) or a manual trigger.
     * Refused while another build runs or a snapshot is received.
     */
    void build(CompletableFuture<SnapshotMeta> future) {
        if (!engine.beginSnapshotBuild()) {
            fail(future, new RaftException("node " + nodeId + ": a snapshot is already being built or received ("
                + engine.snapshots().describe() + ")"));
            return;
        }
        final SnapshotWriter writer = stateMachine.takeSnapshot();
        final LogId last = writer.lastApplied();
        if (last.isNone()) {
            engine.snapshotBuildEnded();
            fail(future, new RaftException("node " + nodeId + " has applied no entry: no snapshot to build"));
            return;
        }
        lastBuildIndex = last.index();
        final AtomicBoolean abort = new AtomicBoolean();
        buildAbort = abort;
        // the membership in force at the snapshot's last entry (a later configuration may be appended already)
        final SnapshotMeta meta = new SnapshotMeta(SnapshotMeta.idFor(last, clock.nanoTime() ^ nodeId), last,
            engine.membershipAt(last.index()));
        if (executor == null) {
            executor = Executors.newSingleThreadExecutor(r -> {
                final Thread t = new Thread(r, "raft-snapshot-" + nodeId);
                t.setDaemon(true);
                return t;
            });
        }
        executor.execute(() -> {
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
                completions.add(() -> onBuilt(abort, reader, future));
            } catch (IOException | RuntimeException e) {
                if (sink != null) {
                    sink.abort();
                }
                completions.add(() -> {
                    endBuild(abort, null, 0);
                    fail(future, new RaftException("node " + nodeId + ": building snapshot " + meta.snapshotId()
                        + " failed", e));
                });
            }
        });
    }

    /** Runs the completions the snapshot thread posted (node thread); returns how many. */
    int drainCompletions() {
        int n = 0;
        Runnable completion;
        while ((completion = completions.poll()) != null) {
            completion.run();
            n++;
        }
        return n;
    }

    /** Aborts the build in progress (a snapshot streamed by the leader replaces it). */
    void abort() {
        if (buildAbort != null) {
            buildAbort.set(true);
        }
    }

    /** Node thread: a build finished durably. */
    private void onBuilt(AtomicBoolean abort, SnapshotReader reader, CompletableFuture<SnapshotMeta> future) {
        final SnapshotMeta meta = reader.meta();
        readers.add(reader);
        endBuild(abort, meta, reader.size());
        if (engine.state().currentSnapshot() != null) {
            applier.snapshotBuilt(engine.state().currentSnapshot().lastLogId());
        }
        readers.closeUnused(engine::snapshotInUse);
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
            executeCommands.run();
        }
    }

    private void fail(CompletableFuture<SnapshotMeta> future, RaftException error) {
        if (future == null) {
            LOG.warn("node {}: {}", nodeId, error.getMessage());
            return;
        }
        adminFutures.remove(future);
        future.completeExceptionally(error);
    }

    @Override
    public void close() {
        abort();
        if (executor != null) {
            executor.shutdownNow();
        }
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
}
