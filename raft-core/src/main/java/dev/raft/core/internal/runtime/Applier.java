package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.error.LeadershipLostException;
import dev.raft.api.error.StorageException;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongFunction;
import org.agrona.MutableDirectBuffer;

/**
 * The state machine's side of a node: applies committed entries in order (from the {@link EntryCache},
 * falling back to the log store), restores snapshots (on the same thread, so an install never interleaves
 * with an apply), and keeps the proposals of this node's leadership ({@link PendingProposals}) whose futures
 * it completes with the state machine's responses when {@link #completeStaged()} is called — after the
 * transport poll, never inside it.
 */
final class Applier {
    private static final int READ_BYTES = 1 << 20;

    private final int nodeId;
    private final StateMachine stateMachine;
    private final LogStore logStore;
    private final EntryCache cache;
    private final EntryBatch readScratch = new EntryBatch();
    private final PendingProposals pending = new PendingProposals();
    private long appliedIndex;
    private LogId snapshotLastLogId = LogId.NONE;

    Applier(int nodeId, StateMachine stateMachine, LogStore logStore, EntryCache cache) {
        this.nodeId = nodeId;
        this.stateMachine = stateMachine;
        this.logStore = logStore;
        this.cache = cache;
    }

    long appliedIndex() {
        return appliedIndex;
    }

    /** The last log id of the latest snapshot restored or built, or {@link LogId#NONE}. */
    LogId snapshotLastLogId() {
        return snapshotLastLogId;
    }

    void snapshotBuilt(LogId lastLogId) {
        snapshotLastLogId = lastLogId;
    }

    /** A proposal of this leader waits for entry {@code index}. */
    void addProposal(long index, CompletableFuture<byte[]> future) {
        pending.add(index, future);
    }

    /** A service's proposal waits for entry {@code index}; its listener hears the outcome. */
    void addProposal(long index, dev.raft.api.service.OutcomeListener listener, long correlation) {
        pending.add(index, listener, correlation);
    }

    /** Applies every entry up to {@code commitIndex}, in order; the proposers' outcomes are staged. */
    void applyUpTo(long commitIndex) {
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
            final MutableDirectBuffer response = pending.size() > 0 ? pending.responseBuffer(index) : null;
            final int length;
            try {
                length = stateMachine.apply(entry, response);
            } catch (RuntimeException e) {
                throw new FatalNodeError("node " + nodeId + ": the state machine failed to apply entry " + index
                    + " (" + e + ")", e);
            }
            if (response != null && length > response.capacity()) {
                throw new FatalNodeError("node " + nodeId + ": the state machine answered entry " + index + " with "
                    + length + " bytes, more than its response buffer holds (" + response.capacity() + ")", null);
            }
            appliedIndex = index;
            if (pending.size() > 0) {
                pending.applied(index, response == null ? -1 : length);
            }
        }
        readScratch.clear();
    }

    /** Entries read from the store may be gone (purged): forget them. */
    void forgetReads() {
        readScratch.clear();
    }

    /** This node lost the leadership of {@code term}: every proposal not yet applied has an unknown outcome. */
    void leadershipLost(long term) {
        pending.failAll(index -> new LeadershipLostException(nodeId, term, index));
    }

    /** Stages a failure for every pending proposal not yet applied. */
    void failAll(LongFunction<? extends RuntimeException> error) {
        pending.failAll(error);
    }

    /** Whether outcomes wait for {@link #completeStaged()}. */
    boolean hasStaged() {
        return pending.hasStaged();
    }

    /** Completes the staged outcomes (node thread, outside the transport poll). */
    void completeStaged() {
        pending.completeStaged();
    }

    /** Restores a snapshot into the state machine: it now holds every entry up to the snapshot's last. */
    void restore(SnapshotReader reader) {
        try (InputStream in = reader.openStream()) {
            stateMachine.restore(reader.meta(), in);
        } catch (IOException | RuntimeException e) {
            throw StorageException.fatal("node " + nodeId + ": restoring snapshot " + reader.meta().snapshotId()
                + " failed", e);
        }
        snapshotLastLogId = reader.meta().lastLogId();
        appliedIndex = snapshotLastLogId.index();
    }
}
