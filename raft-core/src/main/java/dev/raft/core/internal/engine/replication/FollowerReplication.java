package dev.raft.core.internal.engine.replication;

import dev.raft.api.EntryBatch;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.MessageType;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.membership.ConfigHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of log replication: AppendEntries handling (consistency check at prevLogIndex with
 * conflict hints for the leader's back-tracking, truncation of conflicting uncommitted entries, append of
 * the new ones, commit up to what the message verified) and acknowledgement only of entries that are
 * durable (persist before respond: an acknowledgement waits for {@link #onDurable}). Configurations among the
 * appended entries take effect at once, and revert when truncated ({@link ConfigHistory}).
 */
public final class FollowerReplication {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerReplication.class);

    private final RaftState state;
    private RoleChanges roles;
    private ConfigHistory configs;
    /** The highest index verified to match the current term's leader. */
    private long ackLimit;
    /** An accepted AppendEntries waits for its entries to become durable. */
    private boolean ackPending;

    /** A follower side for {@code state}. */
    public FollowerReplication(RaftState state) {
        this.state = state;
    }

    /** Connects the handlers this one calls. */
    public void wire(RoleChanges roleChanges, ConfigHistory configHistory) {
        this.roles = roleChanges;
        this.configs = configHistory;
    }

    /** A new term began: nothing is verified against its leader yet. */
    public void resetAcks() {
        ackLimit = 0;
        ackPending = false;
    }

    /** A snapshot covering {@code index} was installed: everything up to it matches the leader. */
    public void verifiedUpTo(long index) {
        ackLimit = Math.max(ackLimit, index);
    }

    /** An AppendEntries arrived. */
    public void onAppendEntries(AppendEntriesRequest req) {
        final int from = req.from();
        if (req.term() < state.term) {
            state.count(EngineCounter.STALE_MESSAGES);
            reject(from, req.prevLogIndex(), 0, 0);
            return;
        }
        if (req.term() > state.term || (state.role != Role.FOLLOWER && state.role != Role.LEARNER)
            || state.leaderId != from) {
            roles.becomeFollower(req.term(), from);
        }
        state.lastLeaderContact = state.now;
        state.resetElectionTimer();

        final EntryBatch entries = req.entries();
        final int n = entries.size();
        if (req.prevLogIndex() < 0 || (n > 0 && (entries.firstIndex() != req.prevLogIndex() + 1
            || entries.lastTerm() > req.term()))) {
            state.count(EngineCounter.MALFORMED_DROPPED); // entries must follow prevLogIndex, no newer than the term
            return;
        }
        if (!ConfigHistory.decodable(entries, 0, n)) {
            state.count(EngineCounter.MALFORMED_DROPPED); // a configuration entry that does not decode
            return;
        }
        long prev = req.prevLogIndex();
        long prevTerm = req.prevLogTerm();
        int pos = 0;
        if (prev < state.log.purgedIndex()) {
            // entries up to the purge point are committed, so they match: skip those the message repeats
            pos = (int) Math.min(n, state.log.purgedIndex() - prev);
            prev = state.log.purgedIndex();
            prevTerm = state.log.termAt(prev);
        }
        if (prev > state.log.lastIndex()) {
            reject(from, req.prevLogIndex(), 0, state.log.lastIndex() + 1);
            return;
        }
        if (state.log.termAt(prev) != prevTerm) {
            reject(from, req.prevLogIndex(), state.log.termAt(prev), state.log.firstIndexOfTermAt(prev));
            return;
        }
        for (; pos < n; pos++) {
            final long index = entries.index(pos);
            if (index > state.log.lastIndex()) {
                break;
            }
            if (state.log.termAt(index) != entries.term(pos)) {
                if (index <= state.commitIndex) {
                    // a leader contradicts a committed entry: refuse, never truncate it
                    state.count(EngineCounter.SAFETY_VIOLATIONS);
                    LOG.error("node {}: SAFETY VIOLATION: leader {} of term {} sends entry {} of term {}, but entry {} of"
                        + " term {} is committed here (commit index {}); refused", state.selfId, from, req.term(), index,
                        entries.term(pos), index, state.log.termAt(index), state.commitIndex);
                    return;
                }
                truncateFrom(index);
                break;
            }
        }
        if (pos < n) {
            state.out.append(entries, pos, n);
            for (int i = pos; i < n; i++) {
                state.log.append(entries.term(i), entries.index(i));
            }
            configs.appendedFrom(entries, pos, n);
        }
        final long verified = req.prevLogIndex() + n;
        ackLimit = Math.max(ackLimit, verified);
        final long newCommit = Math.min(req.leaderCommit(), verified);
        if (newCommit > state.commitIndex) {
            state.commitIndex = newCommit;
            state.out.apply(newCommit);
            configs.committed();
        }
        final long ack = Math.min(state.durableIndex, ackLimit);
        if (ack >= verified) {
            sendSuccess(from, ack);
        } else {
            ackPending = true; // persist before respond: answered by onDurable
        }
    }

    /** The durable index advanced: acknowledge what became durable of what the leader's messages verified. */
    public void onDurable() {
        if (ackPending && state.leaderId != NodeId.NONE) {
            final long ack = Math.min(state.durableIndex, ackLimit);
            ackPending = ack < ackLimit;
            sendSuccess(state.leaderId, ack);
        }
    }

    /** Removes the log from {@code index} on (uncommitted entries that conflict). */
    public void truncateFrom(long index) {
        state.out.truncate(index);
        state.log.truncateFrom(index);
        state.durableIndex = Math.min(state.durableIndex, index - 1);
        ackLimit = Math.min(ackLimit, index - 1);
        configs.truncatedFrom(index);
    }

    private void reject(int to, long rejectedIndex, long conflictTerm, long conflictIndex) {
        final AppendEntriesResponse resp = state.out.message(MessageType.APPEND_ENTRIES_RESPONSE);
        resp.reject(state.selfId, to, state.term, rejectedIndex, conflictTerm, conflictIndex, state.log.lastIndex());
        state.out.send(resp);
    }

    private void sendSuccess(int to, long matchIndex) {
        final AppendEntriesResponse resp = state.out.message(MessageType.APPEND_ENTRIES_RESPONSE);
        resp.success(state.selfId, to, state.term, matchIndex, state.log.lastIndex());
        state.out.send(resp);
    }
}
