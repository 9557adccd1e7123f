package dev.raft.core.internal.engine.replication;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.Role;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.MessageType;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.snapshot.SnapshotSender;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The leader side of log replication: appending proposals locally (collected, then handed to the log as
 * one append), sending AppendEntries per follower by its {@link Progress} (one probe at a time, or a
 * window of messages bounded by count and bytes), heartbeats, the answers to them (with fast conflict
 * back-tracking by the follower's hints), and the commit rule: an index held by a quorum (the leader
 * counting only its durable log) and of the leader's own term (§5.4.2).
 */
public final class LeaderReplication {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderReplication.class);

    private final RaftState state;
    private final ProgressTracker tracker;
    private final EntrySource source;
    private final UnsafeBuffer emptyPayload = new UnsafeBuffer(new byte[0]);
    /** Proposals collected since the last hand-off to the log. */
    private EntryBatch pending = new EntryBatch();
    /** The entries handed to the log in the current event (an APPEND not yet executed): sent from here. */
    private EntryBatch unstable = new EntryBatch();
    private RoleChanges roles;
    private SnapshotSender sender;
    private long heartbeatDeadline;
    /** Runs after the commit index advanced (membership changes: the joint configuration's next step). */
    private Runnable onCommitAdvanced = () -> { };
    /** The read round every AppendEntries carries ({@code read.LeaderReads}); 0: none yet. */
    private long readSeq;

    /** A leader side for {@code state}; {@code source} reads entries appended in earlier events. */
    public LeaderReplication(RaftState state, EntrySource source) {
        this.state = state;
        this.tracker = new ProgressTracker(state);
        this.source = source;
    }

    /** Connects the handlers this one calls. */
    public void wire(RoleChanges roleChanges, SnapshotSender snapshotSender) {
        this.roles = roleChanges;
        this.sender = snapshotSender;
    }

    /** Runs {@code listener} each time this leader's commit index advanced. */
    public void onCommitAdvanced(Runnable listener) {
        this.onCommitAdvanced = listener;
    }

    /** The progress of every follower. */
    public ProgressTracker tracker() {
        return tracker;
    }

    /** A new event begins: the previous event's append was executed, so its entries are in the source. */
    public void beginEvent() {
        unstable.clear();
    }

    /** This node just won an election: probe every follower from the end of the log and append a blank entry. */
    public void becomeLeader() {
        tracker.resetAll(state.log.lastIndex());
        heartbeatDeadline = state.now + state.heartbeatNanos;
        appendLocal(EntryType.BLANK, emptyPayload, 0, 0);
        flushPending();
    }

    /** Collects an entry of the current term for the next {@link #flushPending}; returns its index. */
    public long appendLocal(EntryType type, DirectBuffer payload, int offset, int length) {
        final long index = state.log.lastIndex() + 1;
        pending.add(state.term, index, type, payload, offset, length);
        state.log.append(state.term, index);
        return index;
    }

    /** Hands the collected proposals to the log and replicates them. */
    public void flushPending() {
        if (pending.isEmpty()) {
            return;
        }
        final int from;
        if (unstable.isEmpty()) {
            final EntryBatch swap = unstable;
            unstable = pending;
            pending = swap;
            from = 0;
        } else {
            from = unstable.size(); // a second hand-off in one event: keep every unexecuted entry in one batch
            unstable.addAll(pending, 0, pending.size());
            pending.clear();
        }
        state.out.append(unstable, from, unstable.size());
        for (int i = 0; i < tracker.size(); i++) {
            sendAppends(tracker.at(i));
        }
        maybeCommit();
    }

    /** Time passed: a heartbeat round when due. */
    public void tick() {
        if (state.now - heartbeatDeadline >= 0) {
            heartbeatDeadline = state.now + state.heartbeatNanos;
            for (int i = 0; i < tracker.size(); i++) {
                final Progress pr = tracker.at(i);
                if (pr.state == Progress.State.PROBE) {
                    pr.probeSent = false;
                    sendAppends(pr);
                } else {
                    sendHeartbeat(pr);
                }
            }
        }
    }

    /** A follower answered an AppendEntries. */
    public void onAppendResponse(AppendEntriesResponse resp) {
        if (!roles.isAnswerToCurrentLeader(resp.term())) {
            return;
        }
        final Progress pr = tracker.of(resp.from());
        pr.markActive(state.now);
        if (pr.state == Progress.State.SNAPSHOT) {
            state.count(EngineCounter.STALE_MESSAGES); // answers an AppendEntries sent before the transfer began
            return;
        }
        if (resp.isSuccess()) {
            if (pr.maybeUpdate(Math.min(resp.matchIndex(), state.log.lastIndex()))) {
                maybeCommit();
            }
        } else if (resp.lastLogIndex() < pr.matchIndex && resp.rejectedIndex() >= pr.matchIndex) {
            // it held up to the match and now holds less: a lost or replaced disk; probe it from what it holds.
            // (A rejection of an older request, delayed past the acknowledgement of the match, names an index
            // below the match: it is stale, not a loss.)
            state.count(EngineCounter.FOLLOWER_LOGS_LOST);
            LOG.warn("node {}: follower {} reports last log {} below its match {}: lost or replaced disk?",
                state.selfId, pr.nodeId, resp.lastLogIndex(), pr.matchIndex);
            pr.resetAfterLostLog(resp.lastLogIndex());
        } else if (!pr.maybeDecrTo(resp.rejectedIndex(), nextFromHint(resp))) {
            state.count(EngineCounter.STALE_MESSAGES);
            return;
        }
        sendAppends(pr);
        if (pr.state == Progress.State.REPLICATE && pr.sentCommit < state.commitIndex && pr.inflights.count() == 0) {
            sendHeartbeat(pr); // the follower is caught up but does not know the commit index yet
        }
    }

    /** Where to probe next after a rejection: past the leader's last entry of the conflict term, or the hint. */
    private long nextFromHint(AppendEntriesResponse resp) {
        if (resp.conflictTerm() == 0) {
            return resp.conflictIndex();
        }
        final long lastOfTerm = state.log.lastIndexOfTerm(resp.conflictTerm());
        return lastOfTerm >= 0 ? lastOfTerm + 1 : resp.conflictIndex();
    }

    /** Sends what {@code pr}'s state allows: chunks of a snapshot, one probe, or AppendEntries up to the window. */
    public void sendAppends(Progress pr) {
        if (state.role != Role.LEADER) {
            return;
        }
        if (pr.state == Progress.State.SNAPSHOT) {
            sender.sendChunks(pr);
            return;
        }
        while (pr.canSend()) {
            if (pr.state == Progress.State.REPLICATE && pr.nextIndex > state.log.lastIndex()) {
                return;
            }
            if (!sendAppend(pr)) {
                return;
            }
            if (pr.state == Progress.State.PROBE) {
                return;
            }
        }
    }

    /** Sends one AppendEntries from {@code pr.nextIndex} (empty if there is nothing to send). */
    private boolean sendAppend(Progress pr) {
        final long prev = pr.nextIndex - 1;
        if (prev < state.log.purgedIndex()) {
            sender.snapshotNeeded(pr);
            return false;
        }
        final AppendEntriesRequest req = state.out.message(MessageType.APPEND_ENTRIES_REQUEST);
        req.set(state.selfId, pr.nodeId, state.term, prev, state.log.termAt(prev), state.commitIndex).readSeq(readSeq);
        pr.sentCommit = state.commitIndex;
        long last = prev;
        if (pr.nextIndex <= state.log.lastIndex()) {
            fill(req.entries(), pr.nextIndex, Math.min(state.log.lastIndex(), pr.nextIndex + state.maxEntriesPerAppend - 1));
            last = req.entries().isEmpty() ? prev : req.entries().lastIndex();
        }
        state.out.send(req);
        if (pr.state == Progress.State.PROBE) {
            pr.probeSent = true;
        } else if (last > prev) {
            pr.inflights.add(last, req.entries().payloadBytes());
            pr.nextIndex = last + 1;
        }
        return true;
    }

    /** Fills entries {@code [from, toMax]} under the byte limit: earlier events' from the source, this event's from here. */
    private void fill(EntryBatch dst, long from, long toMax) {
        final long storedEnd = unstable.isEmpty() || toMax < unstable.firstIndex() ? toMax : unstable.firstIndex() - 1;
        if (from <= storedEnd) {
            source.read(dst, from, storedEnd, state.maxBytesPerAppend);
        }
        final long next = dst.isEmpty() ? from : dst.lastIndex() + 1;
        if (next > storedEnd && next <= toMax && dst.payloadBytes() < state.maxBytesPerAppend) {
            final long first = unstable.firstIndex();
            ByteLimit.copy(dst, unstable, (int) (next - first), (int) (toMax - first), state.maxBytesPerAppend);
        }
    }

    /** An empty AppendEntries at the end of what was sent: carries the commit index, detects lost messages. */
    private void sendHeartbeat(Progress pr) {
        if (pr.state == Progress.State.SNAPSHOT) {
            return; // the chunks (and their timeout) keep the follower's election timer reset
        }
        final long prev = pr.nextIndex - 1;
        if (prev < state.log.purgedIndex()) {
            sender.snapshotNeeded(pr);
            return;
        }
        final AppendEntriesRequest req = state.out.message(MessageType.APPEND_ENTRIES_REQUEST);
        req.set(state.selfId, pr.nodeId, state.term, prev, state.log.termAt(prev), state.commitIndex).readSeq(readSeq);
        pr.sentCommit = state.commitIndex;
        state.out.send(req);
    }

    /**
     * A read round began: every AppendEntries from now on carries {@code seq}; with {@code broadcast}, a
     * heartbeat goes to every follower now (else the regular ones carry it).
     */
    public void readRound(long seq, boolean broadcast) {
        readSeq = seq;
        if (broadcast && state.role == Role.LEADER) {
            for (int i = 0; i < tracker.size(); i++) {
                sendHeartbeat(tracker.at(i));
            }
        }
    }

    /** Commits the highest index a quorum holds if it is of the current term (§5.4.2), and applies it. */
    public void maybeCommit() {
        if (state.role != Role.LEADER) {
            return;
        }
        final long quorumIndex = tracker.committedIndex();
        if (quorumIndex > state.commitIndex && state.log.termAt(quorumIndex) == state.term) {
            state.commitIndex = quorumIndex;
            state.out.apply(quorumIndex);
            for (int i = 0; i < tracker.size(); i++) {
                final Progress pr = tracker.at(i);
                if (pr.state == Progress.State.REPLICATE && pr.nextIndex > state.log.lastIndex()
                    && pr.inflights.count() == 0) {
                    sendHeartbeat(pr); // nothing else will carry the new commit index soon
                }
            }
            onCommitAdvanced.run();
        }
    }

    // ------------------------------------------------------------------ views (runtime, tests)

    /** The matched index of peer {@code nodeId} as known by this leader (0 when not leader or unknown). */
    public long matchIndex(int nodeId) {
        final int slot = state.slotOf(nodeId);
        return slot < 0 || state.role != Role.LEADER ? 0 : tracker.at(slot).matchIndex;
    }

    /** The next index this leader sends to {@code nodeId}. */
    public long nextIndex(int nodeId) {
        return tracker.of(nodeId).nextIndex;
    }

    /** The number of AppendEntries in flight to {@code nodeId}. */
    public int inflightCount(int nodeId) {
        return tracker.of(nodeId).inflights.count();
    }

    /** Whether this leader is replicating to {@code nodeId} optimistically (false: probing). */
    public boolean isReplicating(int nodeId) {
        return tracker.of(nodeId).state == Progress.State.REPLICATE;
    }
}
