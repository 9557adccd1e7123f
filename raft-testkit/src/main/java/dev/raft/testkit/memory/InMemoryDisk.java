package dev.raft.testkit.memory;

import dev.raft.api.Entry;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What survives a simulated crash of one node's storage: the durable part of the log (entries reported
 * flushed, the purge point), the vote and the current snapshot. Stores are opened on a disk, at most one
 * {@link InMemoryLogStore} and one {@link InMemorySnapshotStore} at a time (like a locked directory);
 * {@link #crash()} kills them and keeps only what was durable, and opening again sees exactly that.
 *
 * <p>Thread-safe. Every store opened on a disk synchronizes on the disk, so reads from any thread see a
 * consistent state.
 */
public final class InMemoryDisk {
    /** The durable log: entries {@code (purged.index, purged.index + entries.size()]}. Guarded by {@code this}. */
    final List<Entry> durableEntries = new ArrayList<>();
    LogId durablePurged = LogId.NONE;
    Vote durableVote = Vote.INITIAL;
    StoredSnapshot currentSnapshot;
    private InMemoryLogStore openLog;
    private InMemorySnapshotStore openSnapshots;

    /** An empty disk: no entry, no vote, no snapshot. */
    public InMemoryDisk() {
    }

    /**
     * Opens the log store on this disk, starting from what is durable.
     *
     * @throws IllegalStateException if a log store is already open on this disk
     */
    public synchronized InMemoryLogStore openLogStore(FlushMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("InMemoryDisk.openLogStore: mode must not be null");
        }
        if (openLog != null) {
            throw new IllegalStateException("InMemoryDisk.openLogStore: a log store is already open on this disk;"
                + " close or crash it first");
        }
        openLog = new InMemoryLogStore(this, mode);
        return openLog;
    }

    /**
     * Opens the snapshot store on this disk; its current snapshot is the last one finished.
     *
     * @throws IllegalStateException if a snapshot store is already open on this disk
     */
    public synchronized InMemorySnapshotStore openSnapshotStore() {
        if (openSnapshots != null) {
            throw new IllegalStateException("InMemoryDisk.openSnapshotStore: a snapshot store is already open on"
                + " this disk; close or crash it first");
        }
        openSnapshots = new InMemorySnapshotStore(this);
        return openSnapshots;
    }

    /** The snapshot store open on this disk (to inject faults into it), if any. */
    public synchronized Optional<InMemorySnapshotStore> snapshotStoreInUse() {
        return Optional.ofNullable(openSnapshots);
    }

    /** The bytes written into unfinished snapshots of the open snapshot store (0 if none is open). */
    public long unfinishedSnapshotBytes() {
        return snapshotStoreInUse().map(InMemorySnapshotStore::unfinishedBytes).orElse(0L);
    }

    /**
     * Simulates a crash of the node: every store open on this disk dies (further calls throw
     * {@link IllegalStateException}, no callback is called any more), appended entries not yet flushed
     * and unfinished snapshots are lost.
     */
    public void crash() {
        crash(0);
    }

    /**
     * Like {@link #crash()}, but the first {@code keepUnflushed} appended entries that were not yet flushed
     * survive too (a disk that wrote more than it reported; their flush is never reported).
     */
    public void crash(int keepUnflushed) {
        final InMemoryLogStore log;
        final InMemorySnapshotStore snapshots;
        synchronized (this) {
            log = openLog;
            snapshots = openSnapshots;
        }
        if (log != null) {
            log.crash(keepUnflushed);
        }
        if (snapshots != null) {
            snapshots.crash();
        }
    }

    /** The last durable log id: what a log store opened now would report as its last log id. */
    public synchronized LogId durableLastLogId() {
        return durableEntries.isEmpty() ? durablePurged : durableEntries.get(durableEntries.size() - 1).logId();
    }

    /** The durable purge point. */
    public synchronized LogId durablePurgedLogId() {
        return durablePurged;
    }

    /** The durable vote. */
    public synchronized Vote durableVote() {
        return durableVote;
    }

    /** The meta of the current (durable) snapshot, if any. */
    public synchronized Optional<SnapshotMeta> currentSnapshotMeta() {
        return currentSnapshot == null ? Optional.empty() : Optional.of(currentSnapshot.meta());
    }

    synchronized void logClosed(InMemoryLogStore store) {
        if (openLog == store) {
            openLog = null;
        }
    }

    synchronized void snapshotsClosed(InMemorySnapshotStore store) {
        if (openSnapshots == store) {
            openSnapshots = null;
        }
    }

    /** A finished snapshot: immutable. */
    record StoredSnapshot(SnapshotMeta meta, byte[] data) {
    }
}
