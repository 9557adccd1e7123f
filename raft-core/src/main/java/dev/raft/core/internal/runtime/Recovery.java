package dev.raft.core.internal.runtime;

import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotStore;
import dev.raft.core.internal.engine.LogTerms;
import dev.raft.core.internal.engine.RaftEngine;
import java.util.Optional;

/**
 * Loads a node's durable state at start: the latest snapshot (restored into the state machine), finishing
 * a purge a crash interrupted, the log's terms (as runs, found by binary search), and the vote; then starts
 * the engine from them.
 */
final class Recovery {
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
        flushes.reset(lastHeld.index());
        engine.start(nowNanos, vote, applier.appliedIndex());
        return purgedTo;
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
