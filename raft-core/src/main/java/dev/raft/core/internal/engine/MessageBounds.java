package dev.raft.core.internal.engine;

import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.api.message.VoteRequest;

import static dev.raft.api.RaftLimits.isValidIndex;
import static dev.raft.api.RaftLimits.isValidTerm;

/**
 * Whether every term and log index a message claims lies below {@link dev.raft.api.RaftLimits}' ceilings
 * (and is not negative): a message that claims more is malformed. With every value below 2^62 no term or
 * index arithmetic of the engine ({@code term + 1}, {@code prevLogIndex + n}, ...) can overflow.
 */
final class MessageBounds {
    private MessageBounds() {
    }

    static boolean withinLimits(RaftMessage message) {
        if (!isValidTerm(message.term())) {
            return false;
        }
        return switch (message.type()) {
            case VOTE_REQUEST -> {
                final VoteRequest r = (VoteRequest) message;
                yield isValidIndex(r.lastLogIndex()) && isValidTerm(r.lastLogTerm());
            }
            case APPEND_ENTRIES_REQUEST -> {
                final AppendEntriesRequest r = (AppendEntriesRequest) message;
                yield isValidIndex(r.prevLogIndex()) && isValidTerm(r.prevLogTerm()) && isValidIndex(r.leaderCommit())
                    && r.readSeq() >= 0 && entriesWithinLimits(r.entries());
            }
            case APPEND_ENTRIES_RESPONSE -> {
                final AppendEntriesResponse r = (AppendEntriesResponse) message;
                yield isValidIndex(r.lastLogIndex()) && r.readSeq() >= 0 && (r.isSuccess() ? isValidIndex(r.matchIndex())
                    : isValidIndex(r.rejectedIndex()) && isValidTerm(r.conflictTerm()) && isValidIndex(r.conflictIndex()));
            }
            case INSTALL_SNAPSHOT_REQUEST -> {
                final LogId last = ((InstallSnapshotRequest) message).lastLogId();
                yield isValidTerm(last.term()) && isValidIndex(last.index());
            }
            case READ_INDEX_REQUEST -> ((ReadIndexRequest) message).requestId() >= 0;
            case READ_INDEX_RESPONSE -> {
                final ReadIndexResponse r = (ReadIndexResponse) message;
                yield r.requestId() >= 0 && isValidIndex(r.readIndex()) && r.status() != null;
            }
            default -> true;
        };
    }

    private static boolean entriesWithinLimits(EntryBatch entries) {
        for (int i = 0; i < entries.size(); i++) {
            if (!isValidTerm(entries.term(i)) || !isValidIndex(entries.index(i))) {
                return false;
            }
        }
        return true;
    }
}
