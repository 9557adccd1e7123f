package dev.raft.core.internal.engine;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.config.RaftConfig;
import dev.raft.api.error.SnapshotMismatchException;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.InstallSnapshotResponse;
import dev.raft.api.message.InstallSnapshotResponse.Status;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;
import java.util.random.RandomGenerator;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Raft protocol of one node as a pure, deterministic state machine (after etcd-io/raft): events
 * in ({@link #tick}, {@link #onMessage}, {@link #propose}, {@link #onLogFlushed}), commands out through
 * {@link EngineOutput}. It never reads a clock (time comes with {@link #tick}), never blocks, never
 * touches IO, and allocates nothing on the steady-state path. One thread at a time.
 *
 * <p>Rules it enforces: randomized election timeouts (randomness injected); PreVote (a pre-candidate
 * asks for votes for {@code term + 1} without changing anyone's term); CheckQuorum (a leader that has
 * not heard from a quorum within an election timeout steps down, and a node that heard from a leader
 * within the minimum election timeout ignores vote requests of higher terms); persist-before-respond
 * (the vote is persisted before any message that depends on it; a follower acknowledges entries only
 * once {@link #onLogFlushed} covers them; the leader counts its own log only up to its flushed index);
 * commit only of entries of the current term by counting replicas (§5.4.2), with a blank entry
 * appended on election; per-follower progress (probe / replicate) with a bounded window of in-flight
 * AppendEntries, batches bounded in entries (here) and bytes (by the runtime that fills them), and fast
 * back-tracking by conflict term/index hints.
 *
 * <p>Timers are deadlines kept here and checked by {@link #tick}; the runtime calls it every duty
 * cycle with its injected clock's time.
 *
 * <p>Snapshots (DESIGN §4): a follower receives InstallSnapshot chunks through a one-at-a-time
 * snapshot state ({@link SnapshotReceive}: none, local build, stream), writes them positionally, and
 * installs the snapshot when its last chunk and every byte before it are written, then purges its log
 * keeping {@code maxAppliedLogToKeep} entries; a snapshot not newer than what it applied is acknowledged
 * and discarded. A leader whose follower needs purged entries streams its current snapshot in chunks of
 * {@code snapshotChunkBytes}, a window of {@code maxInflightSnapshotChunks} in flight, resuming from the
 * follower's reported contiguous offset after {@code snapshotTransferTimeoutMillis} without an answer.
 * The bytes never pass through the engine: it asks the runtime to write or send ranges.
 *
 * <p>Extension point: TimeoutNow messages are counted and dropped by {@link #onUnsupported}.
 */
public final class RaftEngine {
    private final int selfId;
    private final Membership membership;
    private final int[] peerIds;
    private final Progress[] progress;
    private final byte[] votes;
    private final long electionMinNanos;
    private final long electionMaxNanos;
    private final long heartbeatNanos;
    private final boolean preVoteEnabled;
    private final boolean checkQuorumEnabled;
    private final int maxEntriesPerAppend;
    private final int snapshotChunkBytes;
    private final int maxInflightSnapshotChunks;
    private final long snapshotTimeoutNanos;
    private final long maxAppliedLogToKeep;
    private final RandomGenerator random;
    private final EngineOutput out;

    private final LogTerms log = new LogTerms();
    private final EntryBatch pendingAppend = new EntryBatch();
    private final UnsafeBuffer emptyPayload = new UnsafeBuffer(new byte[0]);
    private final AppendEntriesRequest appendRequest = new AppendEntriesRequest();
    private final AppendEntriesResponse appendResponse = new AppendEntriesResponse();
    private final VoteRequest voteRequest = new VoteRequest();
    private final VoteResponse voteResponse = new VoteResponse();
    private final InstallSnapshotRequest snapshotRequest = new InstallSnapshotRequest();
    private final InstallSnapshotResponse snapshotResponse = new InstallSnapshotResponse();
    private final SnapshotReceive receive = new SnapshotReceive();
    private final long[] quorumScratch;
    private final IntPredicate grantedVote = this::isGranted;
    private final IntPredicate notRejectedVote = this::isNotRejected;
    private final IntPredicate recentlyActive = this::isRecentlyActive;
    private final IntToLongFunction matchOf = this::matchIndexOf;

    private Role role = Role.FOLLOWER;
    private long term;
    private int votedFor = NodeId.NONE;
    private int leaderId = NodeId.NONE;
    private long commitIndex;
    private long durableIndex;
    /** Follower: the highest index verified to match the current term's leader. */
    private long ackLimit;
    /** Follower: an accepted AppendEntries waits for its entries to become durable. */
    private boolean ackPending;

    private long now;
    private long electionDeadline;
    private long heartbeatDeadline;
    private long checkQuorumDeadline;
    private long lastLeaderContact = Long.MIN_VALUE;
    private boolean started;
    /** The node's latest finished snapshot (built or installed), or null, and its size. */
    private SnapshotMeta snapshot;
    private long snapshotSize;
    /** Follower: when a receive stream without chunks is abandoned (the leader that sent it is gone). */
    private long receiveDeadline;

    private long unsupportedDropped;
    private long unknownSenderDropped;
    private long malformedDropped;
    private long staleMessages;
    private long safetyViolations;
    private long snapshotsNeeded;
    private long electionsStarted;
    private long snapshotsInstalled;
    private long snapshotsSkippedStale;
    private long snapshotMismatches;
    private long snapshotWriteFailures;
    private long snapshotBuildsAborted;
    private long snapshotStreamsDropped;
    private long snapshotChunksSent;
    private long snapshotTransfersCompleted;
    private long snapshotTransferResumes;
    private SnapshotMismatchException lastSnapshotMismatch;

    /**
     * @param config the node's configuration (id, initial membership, timeouts, replication bounds)
     * @param random the source of election-timeout jitter (seeded for deterministic runs)
     * @param out    where commands go
     */
    public RaftEngine(RaftConfig config, RandomGenerator random, EngineOutput out) {
        this.selfId = config.nodeId();
        this.membership = config.initialMembership();
        this.peerIds = Arrays.stream(membership.allNodes()).filter(id -> id != selfId).toArray();
        this.progress = new Progress[peerIds.length];
        for (int i = 0; i < peerIds.length; i++) {
            progress[i] = new Progress(peerIds[i], membership.isVoter(peerIds[i]), config.maxInflightAppends());
        }
        this.votes = new byte[peerIds.length];
        this.electionMinNanos = TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMinMillis());
        this.electionMaxNanos = TimeUnit.MILLISECONDS.toNanos(config.electionTimeoutMaxMillis());
        this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMillis());
        this.preVoteEnabled = config.preVote();
        this.checkQuorumEnabled = config.checkQuorum();
        this.maxEntriesPerAppend = config.maxEntriesPerAppend();
        this.snapshotChunkBytes = config.snapshotChunkBytes();
        this.maxInflightSnapshotChunks = config.maxInflightSnapshotChunks();
        this.snapshotTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(config.snapshotTransferTimeoutMillis());
        this.maxAppliedLogToKeep = config.maxAppliedLogToKeep();
        this.random = random;
        this.out = out;
        this.quorumScratch = new long[Math.max(1, membership.maxVoterSetSize())];
    }

    /**
     * The log view to fill before {@link #start}: reset it to the store's purge point and append the
     * stored runs of terms.
     */
    public LogTerms log() {
        return log;
    }

    /**
     * Records the node's current snapshot, before {@link #start}: what a leader sends to followers that
     * need purged entries.
     */
    public void loadSnapshot(SnapshotMeta meta, long size) {
        snapshot = meta;
        snapshotSize = size;
    }

    /**
     * Starts from durable state. Everything in {@link #log()} counts as durable.
     *
     * @param nowNanos     the current time
     * @param vote         the stored vote
     * @param appliedIndex the index the state machine holds (e.g. from a snapshot): known committed
     */
    public void start(long nowNanos, Vote vote, long appliedIndex) {
        if (started) {
            throw new IllegalStateException("RaftEngine.start: node " + selfId + " already started");
        }
        started = true;
        now = nowNanos;
        term = vote.term();
        votedFor = vote.votedFor();
        durableIndex = log.lastIndex();
        commitIndex = Math.min(appliedIndex, log.lastIndex());
        role = membership.isLearner(selfId) ? Role.LEARNER : Role.FOLLOWER;
        resetElectionTimer();
        out.stateChanged();
    }

    // ------------------------------------------------------------------ events

    /**
     * Sets the time that the events before the next {@link #tick} run at, without firing any deadline. A
     * runtime calls it before delivering the messages it polled and ticks after them, so that after a
     * stall the messages that waited (heartbeats, acknowledgements) count before timeouts are judged.
     */
    public void advanceTime(long nowNanos) {
        if (nowNanos - now > 0) {
            now = nowNanos;
        }
    }

    /** Time passes: fires election, heartbeat and CheckQuorum deadlines that are due at {@code nowNanos}. */
    public void tick(long nowNanos) {
        flushPending();
        advanceTime(nowNanos);
        if (role == Role.LEADER) {
            if (now - heartbeatDeadline >= 0) {
                heartbeatDeadline = now + heartbeatNanos;
                broadcastHeartbeat();
            }
            if (checkQuorumEnabled && now - checkQuorumDeadline >= 0) {
                checkQuorumDeadline = now + electionMinNanos;
                if (!membership.isQuorum(recentlyActive)) {
                    becomeFollower(term, NodeId.NONE);
                    return;
                }
                for (Progress pr : progress) {
                    pr.recentActive = false;
                }
            }
            for (Progress pr : progress) {
                if (pr.state == Progress.State.SNAPSHOT && now - pr.snapDeadline >= 0) {
                    snapshotTransferResumes++; // no answer in time: resume from what the follower reported
                    pr.restartSnapshotFrom(resumeOffset(pr));
                    sendSnapshotChunks(pr);
                }
            }
        } else if (receive.isStreaming() && now - receiveDeadline >= 0) {
            dropStream();
        }
        if (role != Role.LEADER && now - electionDeadline >= 0) {
            if (role != Role.LEARNER && membership.isVoter(selfId)) {
                campaign();
            } else {
                resetElectionTimer();
            }
        }
    }

    /**
     * A message arrived. It is valid only during the call. Messages not addressed to this node, from
     * non-members or of a kind this engine does not handle are counted and dropped, never thrown.
     */
    public void onMessage(RaftMessage message) {
        flushPending();
        if (message.to() != selfId || slotOf(message.from()) < 0) {
            unknownSenderDropped++;
            return;
        }
        switch (message.type()) {
            case APPEND_ENTRIES_REQUEST -> onAppendEntries((AppendEntriesRequest) message);
            case APPEND_ENTRIES_RESPONSE -> onAppendResponse((AppendEntriesResponse) message);
            case VOTE_REQUEST -> onVoteRequest((VoteRequest) message);
            case VOTE_RESPONSE -> onVoteResponse((VoteResponse) message);
            case INSTALL_SNAPSHOT_REQUEST -> onInstallSnapshot((InstallSnapshotRequest) message);
            case INSTALL_SNAPSHOT_RESPONSE -> onInstallSnapshotResponse((InstallSnapshotResponse) message);
            default -> onUnsupported(message);
        }
    }

    /**
     * Appends a client command (leader only). The entry is handed to the log by {@link #flushPending()},
     * which every other event calls first, so several proposals form one append and one AppendEntries.
     *
     * @return the entry's index, or -1 if this node is not the leader
     */
    public long propose(DirectBuffer command, int offset, int length) {
        if (role != Role.LEADER) {
            return -1;
        }
        return appendLocal(EntryType.NORMAL, command, offset, length);
    }

    /** Hands the proposals collected since the last call to the log and replicates them. */
    public void flushPending() {
        if (pendingAppend.isEmpty()) {
            return;
        }
        out.appendToLog(pendingAppend, 0, pendingAppend.size());
        pendingAppend.clear();
        for (Progress pr : progress) {
            sendAppends(pr);
        }
        maybeCommit();
    }

    /** Every log entry up to {@code flushedIndex} is durable. */
    public void onLogFlushed(long flushedIndex) {
        flushPending();
        final long flushed = Math.min(flushedIndex, log.lastIndex());
        if (flushed <= durableIndex) {
            return;
        }
        durableIndex = flushed;
        if (role == Role.LEADER) {
            maybeCommit();
        } else if (ackPending && leaderId != NodeId.NONE) {
            final long ack = Math.min(durableIndex, ackLimit);
            ackPending = ack < ackLimit;
            sendAppendSuccess(leaderId, ack);
        }
    }

    // ------------------------------------------------------------------ election

    private void campaign() {
        electionsStarted++;
        if (preVoteEnabled) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
    }

    private void becomePreCandidate() {
        role = Role.PRE_CANDIDATE;
        leaderId = NodeId.NONE;
        Arrays.fill(votes, (byte) 0);
        resetElectionTimer();
        out.stateChanged();
        requestVotes(term + 1, true);
        checkVotes();
    }

    private void becomeCandidate() {
        role = Role.CANDIDATE;
        term++;
        votedFor = selfId;
        leaderId = NodeId.NONE;
        ackLimit = 0;
        ackPending = false;
        out.persistVote(term, selfId);
        Arrays.fill(votes, (byte) 0);
        resetElectionTimer();
        out.stateChanged();
        requestVotes(term, false);
        checkVotes();
    }

    private void requestVotes(long electionTerm, boolean preVote) {
        for (Progress pr : progress) {
            if (pr.voter) {
                voteRequest.set(selfId, pr.nodeId, electionTerm, log.lastIndex(), log.lastTerm(), preVote, false);
                out.send(voteRequest);
            }
        }
    }

    private void checkVotes() {
        if (membership.isQuorum(grantedVote)) {
            if (role == Role.PRE_CANDIDATE) {
                becomeCandidate();
            } else if (role == Role.CANDIDATE) {
                becomeLeader();
            }
        } else if (!membership.isQuorum(notRejectedVote)) {
            becomeFollower(term, NodeId.NONE);
        }
    }

    private void becomeLeader() {
        if (receive.isStreaming()) {
            dropStream(); // from an older leader; a leader must be free to build snapshots
        }
        role = Role.LEADER;
        leaderId = selfId;
        for (Progress pr : progress) {
            pr.reset(log.lastIndex());
        }
        heartbeatDeadline = now + heartbeatNanos;
        checkQuorumDeadline = now + electionMinNanos;
        out.stateChanged();
        appendLocal(EntryType.BLANK, emptyPayload, 0, 0);
        flushPending();
    }

    private void becomeFollower(long newTerm, int leader) {
        final boolean wasLeader = role == Role.LEADER;
        final long oldTerm = term;
        if (newTerm > term) {
            term = newTerm;
            votedFor = NodeId.NONE;
            ackLimit = 0;
            ackPending = false;
            out.persistVote(term, NodeId.NONE);
        }
        if (wasLeader) {
            out.leadershipLost(oldTerm);
        }
        role = membership.isLearner(selfId) ? Role.LEARNER : Role.FOLLOWER;
        leaderId = leader;
        resetElectionTimer();
        out.stateChanged();
    }

    private void onVoteRequest(VoteRequest req) {
        final int from = req.from();
        if (req.term() > term && !req.isLeadershipTransfer() && inLease()) {
            // a live leader is known: a disruptive candidate (e.g. one rejoining after a partition) is refused
            // without changing term (CheckQuorum's leader stickiness)
            sendVoteResponse(from, term, false, req.isPreVote());
            return;
        }
        if (req.term() < term) {
            sendVoteResponse(from, term, false, req.isPreVote());
            return;
        }
        final boolean upToDate = LogId.compare(req.lastLogTerm(), req.lastLogIndex(), log.lastTerm(), log.lastIndex()) >= 0;
        final boolean mayVote = role != Role.LEARNER && membership.isVoter(selfId);
        if (req.isPreVote()) {
            final boolean grant = mayVote && upToDate && (req.term() > term
                || votedFor == from || (votedFor == NodeId.NONE && leaderId == NodeId.NONE));
            sendVoteResponse(from, grant ? req.term() : term, grant, true);
            return;
        }
        if (req.term() > term) {
            becomeFollower(req.term(), NodeId.NONE);
        }
        final boolean canVote = votedFor == from || (votedFor == NodeId.NONE && leaderId == NodeId.NONE);
        final boolean grant = mayVote && canVote && upToDate;
        if (grant && votedFor != from) {
            votedFor = from;
            out.persistVote(term, from);
            resetElectionTimer();
            out.stateChanged();
        }
        sendVoteResponse(from, term, grant, false);
    }

    private void onVoteResponse(VoteResponse resp) {
        final int slot = slotOf(resp.from());
        if (resp.isPreVote()) {
            if (!resp.isGranted() && resp.term() > term) {
                becomeFollower(resp.term(), NodeId.NONE);
                return;
            }
            if (role == Role.PRE_CANDIDATE && (resp.isGranted() ? resp.term() == term + 1 : resp.term() <= term)) {
                votes[slot] = resp.isGranted() ? (byte) 1 : (byte) 2;
                checkVotes();
            } else {
                staleMessages++;
            }
            return;
        }
        if (resp.term() > term) {
            becomeFollower(resp.term(), NodeId.NONE);
            return;
        }
        if (role == Role.CANDIDATE && resp.term() == term) {
            votes[slot] = resp.isGranted() ? (byte) 1 : (byte) 2;
            checkVotes();
        } else {
            staleMessages++;
        }
    }

    private void sendVoteResponse(int to, long responseTerm, boolean granted, boolean preVote) {
        voteResponse.set(selfId, to, responseTerm, granted, preVote);
        out.send(voteResponse);
    }

    private boolean inLease() {
        if (!checkQuorumEnabled) {
            return false;
        }
        return role == Role.LEADER
            || (leaderId != NodeId.NONE && now - lastLeaderContact < electionMinNanos);
    }

    private void resetElectionTimer() {
        electionDeadline = now + random.nextLong(electionMinNanos, electionMaxNanos);
    }

    // ------------------------------------------------------------------ replication: follower side

    private void onAppendEntries(AppendEntriesRequest req) {
        final int from = req.from();
        if (req.term() < term) {
            staleMessages++;
            appendResponse.reject(selfId, from, term, req.prevLogIndex(), 0, 0, log.lastIndex());
            out.send(appendResponse);
            return;
        }
        if (req.term() > term || (role != Role.FOLLOWER && role != Role.LEARNER) || leaderId != from) {
            becomeFollower(req.term(), from);
        }
        lastLeaderContact = now;
        resetElectionTimer();

        final EntryBatch entries = req.entries();
        final int n = entries.size();
        if (req.prevLogIndex() < 0 || (n > 0 && (entries.firstIndex() != req.prevLogIndex() + 1
            || entries.lastTerm() > req.term()))) {
            malformedDropped++; // entries must follow prevLogIndex and be no newer than the leader's term
            return;
        }
        long prev = req.prevLogIndex();
        long prevTerm = req.prevLogTerm();
        int pos = 0;
        if (prev < log.purgedIndex()) {
            // entries up to the purge point are committed, so they match: skip those the message repeats
            pos = (int) Math.min(n, log.purgedIndex() - prev);
            prev = log.purgedIndex();
            prevTerm = log.termAt(prev);
        }
        if (prev > log.lastIndex()) {
            appendResponse.reject(selfId, from, term, req.prevLogIndex(), 0, log.lastIndex() + 1, log.lastIndex());
            out.send(appendResponse);
            return;
        }
        if (log.termAt(prev) != prevTerm) {
            final long conflictTerm = log.termAt(prev);
            appendResponse.reject(selfId, from, term, req.prevLogIndex(), conflictTerm, log.firstIndexOfTermAt(prev),
                log.lastIndex());
            out.send(appendResponse);
            return;
        }
        for (; pos < n; pos++) {
            final long index = entries.index(pos);
            if (index > log.lastIndex()) {
                break;
            }
            if (log.termAt(index) != entries.term(pos)) {
                if (index <= commitIndex) {
                    safetyViolations++; // a leader contradicts a committed entry: refuse, never truncate it
                    return;
                }
                truncateFrom(index);
                break;
            }
        }
        if (pos < n) {
            out.appendToLog(entries, pos, n);
            for (int i = pos; i < n; i++) {
                log.append(entries.term(i), entries.index(i));
            }
        }
        final long verified = req.prevLogIndex() + n;
        ackLimit = Math.max(ackLimit, verified);
        final long newCommit = Math.min(req.leaderCommit(), verified);
        if (newCommit > commitIndex) {
            commitIndex = newCommit;
            out.committed(commitIndex);
        }
        final long ack = Math.min(durableIndex, ackLimit);
        if (ack >= verified) {
            sendAppendSuccess(from, ack);
        } else {
            ackPending = true; // persist before respond: answered by onLogFlushed
        }
    }

    private void truncateFrom(long index) {
        out.truncateLog(index);
        log.truncateFrom(index);
        durableIndex = Math.min(durableIndex, index - 1);
        ackLimit = Math.min(ackLimit, index - 1);
    }

    private void sendAppendSuccess(int to, long matchIndex) {
        appendResponse.success(selfId, to, term, matchIndex, log.lastIndex());
        out.send(appendResponse);
    }

    // ------------------------------------------------------------------ replication: leader side

    private long appendLocal(EntryType type, DirectBuffer payload, int offset, int length) {
        final long index = log.lastIndex() + 1;
        pendingAppend.add(term, index, type, payload, offset, length);
        log.append(term, index);
        return index;
    }

    private void onAppendResponse(AppendEntriesResponse resp) {
        if (resp.term() > term) {
            becomeFollower(resp.term(), NodeId.NONE);
            return;
        }
        if (role != Role.LEADER || resp.term() < term) {
            staleMessages++;
            return;
        }
        final Progress pr = progress[slotOf(resp.from())];
        pr.recentActive = true;
        if (pr.state == Progress.State.SNAPSHOT) {
            staleMessages++; // answers an AppendEntries sent before the transfer began
            return;
        }
        if (resp.isSuccess()) {
            final long match = Math.min(resp.matchIndex(), log.lastIndex());
            if (match > pr.matchIndex) {
                pr.matchIndex = match;
                pr.inflights.freeUpTo(match);
                if (pr.state == Progress.State.PROBE) {
                    pr.becomeReplicate();
                } else {
                    pr.nextIndex = Math.max(pr.nextIndex, match + 1);
                }
                maybeCommit();
            } else if (pr.state == Progress.State.PROBE) {
                pr.probeSent = false;
            }
        } else {
            final long rejected = resp.rejectedIndex();
            if (pr.state == Progress.State.REPLICATE ? rejected <= pr.matchIndex : rejected != pr.nextIndex - 1) {
                staleMessages++;
                return;
            }
            long next;
            if (resp.conflictTerm() == 0) {
                next = resp.conflictIndex();
            } else {
                final long lastOfTerm = log.lastIndexOfTerm(resp.conflictTerm());
                next = lastOfTerm >= 0 ? lastOfTerm + 1 : resp.conflictIndex();
            }
            next = Math.max(1, Math.min(next, rejected));
            pr.becomeProbe(next);
        }
        sendAppends(pr);
        if (pr.state == Progress.State.REPLICATE && pr.sentCommit < commitIndex && pr.inflights.count() == 0) {
            sendHeartbeat(pr); // the follower is caught up but does not know the commit index yet
        }
    }

    private void sendAppends(Progress pr) {
        if (role != Role.LEADER) {
            return;
        }
        if (pr.state == Progress.State.SNAPSHOT) {
            sendSnapshotChunks(pr);
            return;
        }
        while (pr.canSend()) {
            if (pr.state == Progress.State.REPLICATE && pr.nextIndex > log.lastIndex()) {
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
        if (prev < log.purgedIndex()) {
            snapshotNeeded(pr);
            return false;
        }
        appendRequest.set(selfId, pr.nodeId, term, prev, log.termAt(prev), commitIndex);
        pr.sentCommit = commitIndex;
        long last = prev;
        if (pr.nextIndex <= log.lastIndex()) {
            final long toMax = Math.min(log.lastIndex(), pr.nextIndex + maxEntriesPerAppend - 1);
            last = out.sendAppendEntries(appendRequest, pr.nextIndex, toMax);
        } else {
            out.send(appendRequest);
        }
        if (pr.state == Progress.State.PROBE) {
            pr.probeSent = true;
        } else if (last > prev) {
            pr.inflights.add(last);
            pr.nextIndex = last + 1;
        }
        return true;
    }

    private void broadcastHeartbeat() {
        for (Progress pr : progress) {
            if (pr.state == Progress.State.PROBE) {
                pr.probeSent = false;
                sendAppends(pr);
            } else {
                sendHeartbeat(pr);
            }
        }
    }

    /** An empty AppendEntries at the end of what was sent: carries the commit index, detects lost messages. */
    private void sendHeartbeat(Progress pr) {
        if (pr.state == Progress.State.SNAPSHOT) {
            return; // the chunks (and their timeout) keep the follower's election timer reset
        }
        final long prev = pr.nextIndex - 1;
        if (prev < log.purgedIndex()) {
            snapshotNeeded(pr);
            return;
        }
        appendRequest.set(selfId, pr.nodeId, term, prev, log.termAt(prev), commitIndex);
        pr.sentCommit = commitIndex;
        out.send(appendRequest);
    }

    private void maybeCommit() {
        if (role != Role.LEADER) {
            return;
        }
        final long quorumIndex = membership.quorumValue(matchOf, quorumScratch);
        if (quorumIndex > commitIndex && log.termAt(quorumIndex) == term) {
            commitIndex = quorumIndex;
            out.committed(commitIndex);
            for (Progress pr : progress) {
                if (pr.state == Progress.State.REPLICATE && pr.nextIndex > log.lastIndex() && pr.inflights.count() == 0) {
                    sendHeartbeat(pr); // nothing else will carry the new commit index soon
                }
            }
        }
    }

    // ------------------------------------------------------------------ snapshots: follower side

    private void onInstallSnapshot(InstallSnapshotRequest req) {
        if (req.term() < term) {
            staleMessages++;
            replySnapshot(req, Status.STALE_TERM, 0); // carries the current term; nothing changes
            return;
        }
        if (req.term() > term || (role != Role.FOLLOWER && role != Role.LEARNER) || leaderId != req.from()) {
            becomeFollower(req.term(), req.from()); // a higher term is persisted before the reply below
        }
        lastLeaderContact = now;
        resetElectionTimer();
        receiveDeadline = now + 2 * snapshotTimeoutNanos;
        if (req.lastLogId().index() <= commitIndex) {
            // beyond the reference: the state machine already holds everything the snapshot covers (applying
            // is synchronous with the commit index here); acknowledge, discard, never roll back
            snapshotsSkippedStale++;
            if (receive.isStreaming() && receive.meta.snapshotId().equals(req.snapshotId())) {
                dropStream();
            }
            replySnapshot(req, Status.SKIPPED_STALE, req.chunkOffset() + req.dataLength());
            return;
        }
        switch (receive.state) {
            case NONE -> beginStream(req);
            case BUILDING -> {
                snapshotBuildsAborted++;
                receive.clear();
                out.abortSnapshotBuild();
                beginStream(req);
            }
            case STREAMING -> {
                if (receive.meta.snapshotId().equals(req.snapshotId())) {
                    continueStream(req);
                } else if (req.chunkOffset() == 0) {
                    dropStream();
                    beginStream(req);
                } else {
                    mismatch(req, receive.meta.snapshotId(), receive.contiguous);
                }
            }
            default -> throw new IllegalStateException("node " + selfId + ": snapshot state " + receive);
        }
    }

    private void beginStream(InstallSnapshotRequest req) {
        if (req.chunkOffset() > 0) {
            mismatch(req, req.snapshotId(), 0);
            return;
        }
        out.beginSnapshot(req.meta());
        receive.stream(req.meta());
        continueStream(req);
    }

    /** Writes the chunk at its own offset (retransmitted and resumed chunks are idempotent); installs when complete. */
    private void continueStream(InstallSnapshotRequest req) {
        final long contiguous = out.writeSnapshotChunk(req.chunkOffset(), req.dataBuffer(), req.dataLength());
        if (contiguous < 0) {
            snapshotWriteFailures++; // the stream is kept: the leader sends the chunk again
            replySnapshot(req, Status.WRITE_FAILED, receive.contiguous);
            return;
        }
        receive.contiguous = contiguous;
        if (req.isDone()) {
            receive.doneSize = req.chunkOffset() + req.dataLength();
        }
        if (receive.doneSize < 0 || receive.contiguous < receive.doneSize) {
            replySnapshot(req, Status.ACCEPTED, receive.contiguous);
            return;
        }
        final SnapshotMeta meta = receive.meta;
        final long size = receive.doneSize;
        receive.clear();
        if (!out.installSnapshot(meta)) {
            snapshotWriteFailures++; // not durable: the stream is gone, the leader starts over
            replySnapshot(req, Status.WRITE_FAILED, 0);
            return;
        }
        installed(meta, size);
        replySnapshot(req, Status.INSTALLED, size);
    }

    /**
     * The state machine holds {@code meta}'s state: purge the applied log keeping {@code maxAppliedLogToKeep}
     * (all of it when the log does not hold the snapshot's last entry), raise the commit, durable and
     * verified indexes to the snapshot, record it.
     */
    private void installed(SnapshotMeta meta, long size) {
        snapshotsInstalled++;
        final LogId last = meta.lastLogId();
        if (log.contains(last.index()) && log.termAt(last.index()) == last.term()) {
            purgeApplied(last.index()); // the entries after the snapshot match it: keep them
        } else {
            if (last.index() <= log.lastIndex()) {
                truncateFrom(Math.max(commitIndex, log.purgedIndex()) + 1); // uncommitted entries that conflict
            }
            out.purgeLog(last);
            log.purgeUpTo(last.index(), last.term());
        }
        durableIndex = Math.max(durableIndex, last.index());
        ackLimit = Math.max(ackLimit, last.index());
        commitIndex = Math.max(commitIndex, last.index());
        recordSnapshot(meta, size);
        out.stateChanged();
    }

    private void dropStream() {
        snapshotStreamsDropped++;
        receive.clear();
        out.abortSnapshot();
    }

    private void mismatch(InstallSnapshotRequest req, String expectedId, long expectedOffset) {
        snapshotMismatches++;
        lastSnapshotMismatch = new SnapshotMismatchException(expectedId, expectedOffset, req.snapshotId(), req.chunkOffset());
        // the response names the request's snapshot: the offset expected of it (0 when another stream is in progress)
        replySnapshot(req, Status.MISMATCH, expectedId.equals(req.snapshotId()) ? expectedOffset : 0);
    }

    private void replySnapshot(InstallSnapshotRequest req, Status status, long nextOffset) {
        snapshotResponse.set(selfId, req.from(), term, req.snapshotId(), req.chunkOffset(), status, nextOffset);
        out.send(snapshotResponse);
    }

    /** Purges the log up to {@code upToIndex - maxAppliedLogToKeep} (entries the snapshot covers). */
    private void purgeApplied(long upToIndex) {
        final long index = Math.min(upToIndex, log.lastIndex()) - maxAppliedLogToKeep;
        if (index > log.purgedIndex()) {
            final long purgedTerm = log.termAt(index);
            out.purgeLog(LogId.of(purgedTerm, index));
            log.purgeUpTo(index, purgedTerm);
        }
    }

    /** Makes {@code meta} the current snapshot if it is newer than the current one. */
    private boolean recordSnapshot(SnapshotMeta meta, long size) {
        if (snapshot != null && !meta.lastLogId().isNewerThan(snapshot.lastLogId())) {
            return false;
        }
        snapshot = meta;
        snapshotSize = size;
        return true;
    }

    /** Whether no snapshot is being built or received (a build may begin). */
    public boolean snapshotIdle() {
        return receive.state == SnapshotReceive.State.NONE;
    }

    /**
     * Asks to start building a snapshot locally. Refused while one is built or received (one snapshot
     * state at a time); a stream that begins later aborts the build ({@link EngineOutput#abortSnapshotBuild}).
     *
     * @return whether the build may start; if so, {@link #snapshotBuildEnded()} must follow
     */
    public boolean beginSnapshotBuild() {
        if (receive.state != SnapshotReceive.State.NONE) {
            return false;
        }
        receive.state = SnapshotReceive.State.BUILDING;
        return true;
    }

    /** The local build begun by {@link #beginSnapshotBuild} ended (finished, failed or aborted). */
    public void snapshotBuildEnded() {
        if (receive.state == SnapshotReceive.State.BUILDING) {
            receive.clear();
        }
    }

    /**
     * A locally built snapshot {@code meta} of {@code size} bytes is durable. If it is newer than the
     * current one it becomes current, and the log is purged keeping {@code maxAppliedLogToKeep} applied
     * entries.
     */
    public void snapshotBuilt(SnapshotMeta meta, long size) {
        if (recordSnapshot(meta, size)) {
            purgeApplied(meta.lastLogId().index());
            out.stateChanged();
        }
    }

    // ------------------------------------------------------------------ snapshots: leader side

    /** A follower needs entries that were purged: stream the current snapshot to it. */
    private void snapshotNeeded(Progress pr) {
        snapshotsNeeded++;
        if (snapshot == null) {
            return; // the log is purged only after a snapshot: never expected
        }
        pr.becomeSnapshot(snapshot, snapshotSize);
        sendSnapshotChunks(pr);
    }

    /** Sends chunks from {@code snapNext} while the window allows, up to the last chunk. */
    private void sendSnapshotChunks(Progress pr) {
        boolean sent = false;
        while (!pr.snapDoneSent && pr.snapInflight < maxInflightSnapshotChunks) {
            final long offset = pr.snapNext;
            final int length = (int) Math.max(0, Math.min(snapshotChunkBytes, pr.snapSize - offset));
            final boolean done = offset + length >= pr.snapSize;
            snapshotRequest.setHeader(selfId, pr.nodeId, term, pr.snapMeta, offset, done);
            out.sendSnapshotChunk(snapshotRequest, length);
            snapshotChunksSent++;
            pr.snapNext = offset + length;
            pr.snapInflight++;
            pr.snapDoneSent = done;
            sent = true;
        }
        if (sent) {
            pr.snapDeadline = now + snapshotTimeoutNanos;
        }
    }

    /** Where a resumed transfer starts: the follower's contiguous bytes (the last byte again if it has all). */
    private static long resumeOffset(Progress pr) {
        return pr.snapAcked < pr.snapSize ? pr.snapAcked : Math.max(0, pr.snapSize - 1);
    }

    private void onInstallSnapshotResponse(InstallSnapshotResponse resp) {
        if (resp.term() > term) {
            becomeFollower(resp.term(), NodeId.NONE);
            return;
        }
        if (role != Role.LEADER || resp.term() < term) {
            staleMessages++;
            return;
        }
        final Progress pr = progress[slotOf(resp.from())];
        pr.recentActive = true;
        if (pr.state != Progress.State.SNAPSHOT || !pr.snapMeta.snapshotId().equals(resp.snapshotId())) {
            staleMessages++;
            return;
        }
        pr.snapDeadline = now + snapshotTimeoutNanos;
        switch (resp.status()) {
            case INSTALLED, SKIPPED_STALE -> {
                if (resp.status() == Status.INSTALLED) {
                    snapshotTransfersCompleted++;
                }
                pr.matchIndex = Math.max(pr.matchIndex, pr.snapMeta.lastLogId().index());
                pr.becomeReplicate(); // normal replication from the snapshot's last index + 1
                maybeCommit();
                sendAppends(pr);
                return;
            }
            case ACCEPTED -> {
                pr.snapInflight = Math.max(0, pr.snapInflight - 1);
                pr.snapAcked = Math.max(pr.snapAcked, resp.nextOffset());
                if (!pr.snapDoneSent) {
                    // the follower holds more than was sent (a resumed stream): skip what it has
                    pr.snapNext = Math.max(pr.snapNext, Math.min(resp.nextOffset(), resumeOffset(pr)));
                }
            }
            case WRITE_FAILED -> {
                pr.snapInflight = Math.max(0, pr.snapInflight - 1);
                if (resp.chunkOffset() < pr.snapNext) {
                    snapshotTransferResumes++;
                    pr.restartSnapshotFrom(resp.chunkOffset());
                }
            }
            case MISMATCH -> {
                snapshotTransferResumes++;
                pr.snapAcked = Math.min(resp.nextOffset(), pr.snapSize);
                pr.restartSnapshotFrom(pr.snapAcked);
            }
            default -> staleMessages++;
        }
        sendSnapshotChunks(pr);
    }

    // ------------------------------------------------------------------ extension points

    /** A message kind this engine does not handle yet (TimeoutNow): counted, dropped. */
    private void onUnsupported(RaftMessage message) {
        unsupportedDropped++;
    }
    // ------------------------------------------------------------------ quorum predicates

    private int slotOf(int nodeId) {
        return Arrays.binarySearch(peerIds, nodeId);
    }

    private boolean isGranted(int id) {
        return id == selfId || votes[slotOf(id)] == 1;
    }

    private boolean isNotRejected(int id) {
        return id == selfId || votes[slotOf(id)] != 2;
    }

    private boolean isRecentlyActive(int id) {
        return id == selfId || progress[slotOf(id)].recentActive;
    }

    private long matchIndexOf(int id) {
        return id == selfId ? durableIndex : progress[slotOf(id)].matchIndex;
    }

    // ------------------------------------------------------------------ state, for the runtime and tests

    /** This node's id. */
    public int selfId() {
        return selfId;
    }

    /** The membership in force. */
    public Membership membership() {
        return membership;
    }

    /** The current role. */
    public Role role() {
        return role;
    }

    /** Whether this node is the leader. */
    public boolean isLeader() {
        return role == Role.LEADER;
    }

    /** The current term. */
    public long term() {
        return term;
    }

    /** Whom this node voted for in the current term, or {@link NodeId#NONE}. */
    public int votedFor() {
        return votedFor;
    }

    /** The leader known in the current term, or {@link NodeId#NONE}. */
    public int leaderId() {
        return leaderId;
    }

    /** The commit index. */
    public long commitIndex() {
        return commitIndex;
    }

    /** The highest index known durable in the local log. */
    public long durableIndex() {
        return durableIndex;
    }

    /** The last log index (including entries not yet durable). */
    public long lastLogIndex() {
        return log.lastIndex();
    }

    /** The term of the last log entry. */
    public long lastLogTerm() {
        return log.lastTerm();
    }

    /** The ids of every other member, ascending. */
    public int[] peerIds() {
        return peerIds.clone();
    }

    /** The matched index of peer {@code nodeId} as known by this leader (0 when not leader or unknown). */
    public long matchIndex(int nodeId) {
        final int slot = slotOf(nodeId);
        return slot < 0 || role != Role.LEADER ? 0 : progress[slot].matchIndex;
    }

    /** The next index this leader sends to {@code nodeId}. */
    public long nextIndex(int nodeId) {
        return progress[slotOf(nodeId)].nextIndex;
    }

    /** The number of AppendEntries in flight to {@code nodeId}. */
    public int inflightCount(int nodeId) {
        return progress[slotOf(nodeId)].inflights.count();
    }

    /** Whether this leader is replicating to {@code nodeId} optimistically (false: probing). */
    public boolean isReplicating(int nodeId) {
        return progress[slotOf(nodeId)].state == Progress.State.REPLICATE;
    }

    /** Messages of kinds this engine does not handle, dropped. */
    public long unsupportedDropped() {
        return unsupportedDropped;
    }

    /** Messages from non-members or addressed to another node, dropped. */
    public long unknownSenderDropped() {
        return unknownSenderDropped;
    }

    /** AppendEntries whose entries do not follow their prevLogIndex or carry a term above the leader's, dropped. */
    public long malformedDropped() {
        return malformedDropped;
    }

    /** Messages of an older term or answering something no longer pending, ignored. */
    public long staleMessages() {
        return staleMessages;
    }

    /** AppendEntries that contradicted a committed entry, refused (never expected). */
    public long safetyViolations() {
        return safetyViolations;
    }

    /** Times a follower needed purged entries (a snapshot). */
    public long snapshotsNeeded() {
        return snapshotsNeeded;
    }

    /** Snapshots received and installed. */
    public long snapshotsInstalled() {
        return snapshotsInstalled;
    }

    /** InstallSnapshot chunks of a snapshot not newer than what was applied, acknowledged and discarded. */
    public long snapshotsSkippedStale() {
        return snapshotsSkippedStale;
    }

    /** InstallSnapshot chunks that did not fit the receive stream (answered MISMATCH). */
    public long snapshotMismatches() {
        return snapshotMismatches;
    }

    /** The last mismatch reported to a leader, or null. */
    public SnapshotMismatchException lastSnapshotMismatch() {
        return lastSnapshotMismatch;
    }

    /** Snapshot chunk writes (or finishes) that failed. */
    public long snapshotWriteFailures() {
        return snapshotWriteFailures;
    }

    /** Local snapshot builds aborted by an incoming stream. */
    public long snapshotBuildsAborted() {
        return snapshotBuildsAborted;
    }

    /** Receive streams dropped (replaced by a new stream, stale, or abandoned). */
    public long snapshotStreamsDropped() {
        return snapshotStreamsDropped;
    }

    /** InstallSnapshot chunks sent by this node as leader. */
    public long snapshotChunksSent() {
        return snapshotChunksSent;
    }

    /** Snapshot transfers a follower reported installed. */
    public long snapshotTransfersCompleted() {
        return snapshotTransfersCompleted;
    }

    /** Snapshot transfers resumed or restarted (timeout, failed write, mismatch). */
    public long snapshotTransferResumes() {
        return snapshotTransferResumes;
    }

    /** The snapshot state: NONE, BUILDING or a stream (for tests and logs). */
    public String snapshotState() {
        return receive.toString();
    }

    /** The current snapshot (built or installed), or null. */
    public SnapshotMeta currentSnapshot() {
        return snapshot;
    }

    /** The log's purge point. */
    public long purgedIndex() {
        return log.purgedIndex();
    }

    /** Whether the snapshot {@code snapshotId} is current or being sent to a follower. */
    public boolean snapshotInUse(String snapshotId) {
        if (snapshot != null && snapshot.snapshotId().equals(snapshotId)) {
            return true;
        }
        for (Progress pr : progress) {
            if (pr.state == Progress.State.SNAPSHOT && pr.snapMeta.snapshotId().equals(snapshotId)) {
                return true;
            }
        }
        return false;
    }

    /** Elections (or pre-votes) started by this node. */
    public long electionsStarted() {
        return electionsStarted;
    }

    @Override
    public String toString() {
        return "RaftEngine{node=" + selfId + " " + role + " term=" + term + " vote=" + votedFor + " leader=" + leaderId
            + " commit=" + commitIndex + " durable=" + durableIndex + " " + log + " snapshot=" + receive + "}";
    }
}
