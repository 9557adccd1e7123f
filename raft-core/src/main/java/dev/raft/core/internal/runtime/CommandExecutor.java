package dev.raft.core.internal.runtime;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Vote;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.storage.LogStore;
import dev.raft.api.transport.Transport;
import dev.raft.core.internal.engine.Commands;
import dev.raft.core.internal.engine.RaftEngine;

/**
 * Executes the commands of the engine's last event, in their order (which the engine's Javadoc states),
 * against the log store, the transport, the applier and the snapshot IO; then reports what the engine
 * asked to hear back ({@code onApplied}, a chunk written, a snapshot installed), executing the commands of
 * those reports in turn. Node thread only.
 */
final class CommandExecutor {
    private final RaftEngine engine;
    private final Commands commands;
    private final LogStore logStore;
    private final Transport transport;
    private final EntryCache cache;
    private final FlushReports flushes;
    private final Applier applier;
    private final SnapshotReceiving receiving;
    private final SnapshotReaders readers;
    private final SnapshotBuilds builds;
    private final MembershipAdmin admin;
    private final ReadRequests reads;
    /** Entries kept in the cache below the last one: four full pipelining windows of one follower. */
    private final long cacheRetainEntries;
    private final EntryBatch appendScratch = new EntryBatch();
    private LogId purgedLogId = LogId.NONE;

    CommandExecutor(RaftEngine engine, LogStore logStore, Transport transport, EntryCache cache, FlushReports flushes,
                    Applier applier, SnapshotReceiving receiving, SnapshotReaders readers, SnapshotBuilds builds,
                    MembershipAdmin admin, ReadRequests reads, long cacheRetainEntries) {
        this.engine = engine;
        this.commands = engine.commands();
        this.logStore = logStore;
        this.transport = transport;
        this.cache = cache;
        this.flushes = flushes;
        this.applier = applier;
        this.receiving = receiving;
        this.readers = readers;
        this.builds = builds;
        this.admin = admin;
        this.reads = reads;
        this.cacheRetainEntries = cacheRetainEntries;
    }

    /** The last log id removed by purging, or {@link LogId#NONE}. */
    LogId purgedLogId() {
        return purgedLogId;
    }

    void purgedLogId(LogId purged) {
        purgedLogId = purged;
    }

    /** Executes the last event's commands and the commands of the reports they ask for. */
    void execute() {
        while (!commands.isEmpty()) {
            final long appliedBefore = applier.appliedIndex();
            int report = -1;
            long result = 0;
            for (int i = 0; i < commands.size(); i++) {
                switch (commands.type(i)) {
                    case PERSIST_VOTE -> logStore.saveVote(new Vote(commands.term(i), commands.votedFor(i)));
                    case APPEND -> append(commands.entries(i), commands.from(i), commands.to(i));
                    case TRUNCATE -> truncate(commands.index(i));
                    case PURGE -> purge(commands.logId(i));
                    case SEND -> transport.send(commands.message(i));
                    case SEND_SNAPSHOT_CHUNK ->
                        readers.sendChunk((InstallSnapshotRequest) commands.message(i), commands.length(i));
                    case APPLY -> apply(commands.index(i));
                    case LEADERSHIP_LOST -> {
                        applier.leadershipLost(commands.term(i));
                        admin.leadershipLost(commands.term(i));
                        reads.leadershipLost(commands.term(i));
                    }
                    case MEMBERSHIP_CHANGED -> transport.updateMembership(commands.membership(i));
                    case MEMBERSHIP_CHANGE_DONE -> admin.changeDone(commands.membership(i));
                    case TRANSFER_DONE ->
                        admin.transferDone(commands.target(i), commands.failure(i), commands.retriable(i));
                    case READ_READY -> reads.ready(commands.readId(i), commands.index(i));
                    case READ_FAILED -> reads.failed(commands.readId(i), commands.readFailure(i));
                    case ABORT_SNAPSHOT_BUILD -> builds.abort();
                    case BEGIN_SNAPSHOT -> receiving.begin(commands.meta(i));
                    case WRITE_SNAPSHOT_CHUNK -> {
                        result = receiving.write(commands.index(i), commands.data(i), commands.length(i));
                        report = i;
                    }
                    case ABORT_SNAPSHOT -> receiving.abort();
                    case INSTALL_SNAPSHOT -> {
                        result = receiving.install(commands.meta(i)) ? 1 : 0;
                        report = i;
                    }
                    default -> throw new IllegalStateException("unknown command " + commands.describe(i));
                }
            }
            final Commands.Type reported = report < 0 ? null : commands.type(report);
            if (applier.appliedIndex() != appliedBefore) {
                engine.onApplied(applier.appliedIndex()); // emits nothing
            }
            if (reported == Commands.Type.WRITE_SNAPSHOT_CHUNK) {
                engine.onSnapshotChunkWritten(result);
            } else if (reported == Commands.Type.INSTALL_SNAPSHOT) {
                engine.onSnapshotInstalled(result == 1);
            } else {
                return;
            }
        }
    }

    private void append(EntryBatch entries, int from, int to) {
        final EntryBatch batch;
        if (from == 0 && to == entries.size()) {
            batch = entries;
        } else {
            batch = appendScratch.clear().addAll(entries, from, to);
        }
        logStore.append(batch, flushes.callback());
        cache.append(batch, 0, batch.size());
    }

    private void truncate(long fromIndex) {
        logStore.truncateFrom(fromIndex);
        cache.truncateFrom(fromIndex);
        flushes.truncatedFrom(fromIndex);
    }

    private void purge(LogId upTo) {
        logStore.purgeUpTo(upTo);
        purgedLogId = logStore.lastPurgedLogId();
        if (!cache.isEmpty() && upTo.index() >= cache.lastIndex()) {
            cache.clear();
        } else {
            cache.trimBelow(upTo.index() + 1);
        }
        applier.forgetReads();
    }

    private void apply(long commitIndex) {
        applier.applyUpTo(commitIndex);
        cache.trimBelow(Math.min(applier.appliedIndex() + 1, engine.state().lastLogIndex() + 1 - cacheRetainEntries));
    }
}
