package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.error.StorageException;
import dev.raft.api.Vote;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.core.internal.engine.LogTerms;
import dev.raft.core.internal.engine.RaftEngine;
import java.util.Optional;

/**
 * Loads a node's durable state at start: the latest snapshot (restored into the state machine, its membership
 * into the engine), finishing a purge a crash interrupted, the log's terms (as runs, found by binary search),
 * the configurations in the log after the snapshot (the latest is the membership in force), and the vote;
 * then starts the engine from them.
 */
final class Recovery {
    private static final int SCAN_BYTES = 1 << 20;

    private Recovery() {
    }

    /**
     * @return the log's purge point after recovery
     */
    static LogId load(LogStore logStore, SnapshotStore snapshotStore, Applier applier, SnapshotReaders readers,
                      RaftEngine engine, FlushReports flushes, long nowNanos) {
        final Vote vote = logStore.readVote();
        final LogId purged = logStore.lastPurgedLogId();
        final LogId last = logStore.lastLogId();
        final Optional<SnapshotReader> snapshot = snapshotStore.current();
        LogId purgedTo = purged;
        if (snapshot.isPresent()) {
            final SnapshotReader reader = snapshot.get();
            applier.restore(reader);
            readers.add(reader);
            engine.loadSnapshot(reader.meta(), reader.size());
            purgedTo = purgeAfterCrash(logStore, applier.snapshotLastLogId(), purged, last);
        }
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
        loadMemberships(logStore, engine, purgedTo.index() + 1, lastHeld.index());
        flushes.reset(lastHeld.index());
        engine.start(nowNanos, vote, applier.appliedIndex());
        return purgedTo;
    }

    /** Hands the engine every configuration entry in {@code [from, to]}, in log order. */
    private static void loadMemberships(LogStore logStore, RaftEngine engine, long from, long to) {
        final EntryBatch batch = new EntryBatch();
        long next = from;
        while (next <= to) {
            batch.clear();
            final int n = logStore.read(next, to + 1, SCAN_BYTES, batch);
            if (n == 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (batch.type(i) == EntryType.MEMBERSHIP) {
                    final byte[] bytes = new byte[batch.payloadLength(i)];
                    batch.buffer().getBytes(batch.payloadOffset(i), bytes);
                    final Membership membership;
                    try {
                        membership = Membership.decode(bytes);
                    } catch (IllegalArgumentException e) {
                        throw StorageException.fatal("configuration entry " + batch.index(i)
                            + " of the log does not decode", e);
                    }
                    engine.loadMembership(batch.index(i), membership);
                }
            }
            next = batch.index(n - 1) + 1;
        }
    }

    /**
     * A crash between installing a received snapshot and purging the log leaves a log that does not hold
     * the snapshot's last entry (or conflicts with it): finish the purge now.
     *
     * @return the log's purge point afterwards
     */
    private static LogId purgeAfterCrash(LogStore logStore, LogId snap, LogId purged, LogId last) {
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
}
