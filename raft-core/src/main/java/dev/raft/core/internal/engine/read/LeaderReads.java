package dev.raft.core.internal.engine.read;

import dev.raft.api.Membership;
import dev.raft.api.Role;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.quorum.Quorum;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import java.util.function.IntToLongFunction;
import org.agrona.collections.Long2LongHashMap;

/**
 * The leader's side of reads without the log (dissertation §6.4; etcd-raft's {@code read_only.go}).
 *
 * <p><b>ReadIndex.</b> Reads that arrive are collected; a read round starts them: the round's number
 * ({@code readSeq}) goes on every AppendEntries sent from then on, a heartbeat goes to every follower at
 * once, and the round records the commit index. A follower echoes the latest {@code readSeq} it accepted
 * in the term; once the echoes of a quorum of the membership in force (counted when checked, so a
 * membership change is honoured) reach the round's number, no other leader can have been elected before the
 * round began, and every write acknowledged before the reads arrived is at or below the recorded commit
 * index: the reads are ready at that index ({@code READ_READY}); the runtime runs them once it has applied
 * it. One round is in flight at a time: the reads that arrive meanwhile wait and share the next round.
 * A leader that has not committed an entry of its own term yet serves nothing (its commit index may lag;
 * it appends a blank entry on election, {@link LeaderReplication#becomeLeader()}).
 *
 * <p><b>Lease.</b> A confirmed round also starts a lease until the round's start plus the minimum election
 * timeout minus the configured clock-drift bound: followers that heard from this leader refuse other
 * candidates for the minimum election timeout (CheckQuorum's leader stickiness), so a LEASE read is served
 * at once at the commit index while the lease holds. While LEASE reads are being asked for, the round number
 * is advanced every heartbeat interval (without extra messages: the regular heartbeats carry it) to keep
 * the lease fresh. Without CheckQuorum no lease is ever held.
 *
 * <p>Follower reads: a {@link ReadIndexRequest} joins the next round (or is answered from the lease) and is
 * answered with a {@link ReadIndexResponse}. Allocation-free in the steady state.
 */
public final class LeaderReads {
    /** The start times of the latest rounds, by round number modulo this. */
    private static final int STARTS = 8;

    private final RaftState state;
    private final long leaseNanos;
    private final Long2LongHashMap echoed = new Long2LongHashMap(0);
    private final IntToLongFunction echoOf = this::echoOf;
    private final long[] startedAt = new long[STARTS];
    private final RemoteReads pendingRemote = new RemoteReads();
    private final RemoteReads roundRemote = new RemoteReads();
    private LeaderReplication leader;
    private long[] scratch = new long[8];

    /** The leadership term the state below belongs to; -1: none. */
    private long term = -1;
    /** The current round number, carried by every AppendEntries sent since it started; never reset. */
    private long seq;
    /** The highest round a quorum has echoed in this term. */
    private long confirmedSeq;
    private long leaseUntil;
    private boolean leaseHeld;
    /** When a LEASE read was last asked for (lease keeping runs while they are). */
    private long lastLeaseAsk;
    private boolean leaseAsked;
    /** A leadership transfer began in this term: no lease for the rest of it. */
    private boolean leaseRevoked;

    /** The round in flight for a batch of reads (0: none), the batch's last local read id (-1: none), its index. */
    private long roundSeq;
    private long roundLastId = -1;
    private long roundIndex;
    /** Local reads waiting for the next round: the last one's id (-1: none). */
    private long pendingLastId = -1;

    LeaderReads(RaftState state, long clockDriftNanos) {
        this.state = state;
        this.leaseNanos = state.electionMinNanos - clockDriftNanos;
    }

    void wire(LeaderReplication leaderReplication) {
        this.leader = leaderReplication;
    }

    /**
     * A local read (no event: nothing is emitted).
     *
     * @return the index it may be served at now (lease), {@link Reads#QUEUED} or {@link Reads#NOT_READY}
     */
    long submit(long readId, boolean lease) {
        sync();
        if (!committedInTerm()) {
            return Reads.NOT_READY;
        }
        if (lease && noteLeaseAsk()) {
            state.count(EngineCounter.LEASE_READS);
            return state.commitIndex;
        }
        pendingLastId = readId;
        return Reads.QUEUED;
    }

    /** Time passed: times out a round, keeps the lease fresh, starts a round for the waiting reads. */
    void tick() {
        sync();
        if (state.role != Role.LEADER) {
            return;
        }
        if (roundSeq != 0 && state.now - startedAt(roundSeq) >= state.electionMinNanos) {
            failRound(); // no quorum answered within an election timeout (CheckQuorum, if on, steps down too)
        }
        if (roundSeq == 0 && leaseAsked && state.now - lastLeaseAsk < state.electionMinNanos
            && state.now - startedAt(seq) >= state.heartbeatNanos) {
            nextSeq(false); // keeps the lease fresh: the next regular heartbeats carry it
        }
        maybeStartRound();
    }

    /** A follower answered an AppendEntries (after the replication handler saw it). */
    void onAppendResponse(AppendEntriesResponse resp) {
        sync();
        if (state.role != Role.LEADER || resp.term() != state.term || resp.readSeq() <= 0 || resp.readSeq() > seq) {
            return;
        }
        if (resp.readSeq() > echoed.get(resp.from())) {
            echoed.put(resp.from(), resp.readSeq());
            checkConfirmed();
        }
    }

    /** A follower asks for a read index. */
    void onReadIndexRequest(ReadIndexRequest req) {
        sync();
        if (state.role != Role.LEADER) {
            answer(req.from(), req.requestId(), 0, ReadIndexResponse.Status.NOT_LEADER);
            return;
        }
        if (!committedInTerm()) {
            answer(req.from(), req.requestId(), 0, ReadIndexResponse.Status.NOT_READY);
            return;
        }
        if (req.isLease() && noteLeaseAsk()) {
            state.count(EngineCounter.LEASE_READS);
            answer(req.from(), req.requestId(), state.commitIndex, ReadIndexResponse.Status.OK);
            return;
        }
        pendingRemote.add(req.from(), req.requestId());
        maybeStartRound();
    }

    /** Whether this leader's lease holds now (for tests and metrics). */
    public boolean leaseHolds() {
        sync();
        return state.role == Role.LEADER && state.checkQuorum && leaseHeld && !leaseRevoked
            && state.now - leaseUntil < 0;
    }

    /**
     * Gives up the lease for the rest of this leadership: a leadership transfer lets the target campaign past the
     * followers' stickiness ({@code TimeoutNow}), so from the moment one begins another leader may be elected while
     * the lease would still hold. ReadIndex reads go on (a round proves leadership without clocks).
     */
    void revokeLease() {
        sync();
        leaseRevoked = true;
    }

    /** The current read round number. */
    public long readSeq() {
        return seq;
    }

    // ------------------------------------------------------------------ rounds

    private boolean noteLeaseAsk() {
        lastLeaseAsk = state.now;
        leaseAsked = true;
        return leaseHolds();
    }

    private void maybeStartRound() {
        if (state.role != Role.LEADER || roundSeq != 0 || (pendingLastId < 0 && pendingRemote.size() == 0)
            || !committedInTerm()) {
            return;
        }
        nextSeq(true);
        state.count(EngineCounter.READ_ROUNDS);
        roundSeq = seq;
        roundLastId = pendingLastId;
        roundIndex = state.commitIndex;
        roundRemote.takeAll(pendingRemote);
        pendingLastId = -1;
        checkConfirmed(); // a single voter confirms its own rounds
    }

    private void nextSeq(boolean broadcast) {
        seq++;
        startedAt[(int) (seq % STARTS)] = state.now;
        leader.readRound(seq, broadcast);
    }

    private long startedAt(long round) {
        return startedAt[(int) (round % STARTS)];
    }

    private void checkConfirmed() {
        final Membership membership = state.membership;
        if (scratch.length < membership.maxVoterSetSize()) {
            scratch = new long[membership.maxVoterSetSize()];
        }
        final long confirmed = Quorum.committedIndex(membership, echoOf, scratch);
        if (confirmed <= confirmedSeq) {
            return;
        }
        confirmedSeq = confirmed;
        if (seq - confirmed < STARTS && state.checkQuorum) {
            final long until = startedAt(confirmed) + leaseNanos;
            if (!leaseHeld || until - leaseUntil > 0) {
                leaseUntil = until;
                leaseHeld = true;
            }
        }
        if (roundSeq != 0 && confirmed >= roundSeq) {
            if (roundLastId >= 0) {
                state.out.readReady(roundLastId, roundIndex);
            }
            for (int i = 0; i < roundRemote.size(); i++) {
                answer(roundRemote.from(i), roundRemote.requestId(i), roundIndex, ReadIndexResponse.Status.OK);
            }
            clearRound();
            maybeStartRound();
        }
    }

    private void failRound() {
        if (roundLastId >= 0) {
            state.out.readFailed(roundLastId, ReadFailure.NOT_READY);
        }
        for (int i = 0; i < roundRemote.size(); i++) {
            answer(roundRemote.from(i), roundRemote.requestId(i), 0, ReadIndexResponse.Status.NOT_READY);
        }
        clearRound();
    }

    private void clearRound() {
        roundSeq = 0;
        roundLastId = -1;
        roundIndex = 0;
        roundRemote.clear();
    }

    private void answer(int to, long requestId, long index, ReadIndexResponse.Status status) {
        final ReadIndexResponse resp = state.out.message(MessageType.READ_INDEX_RESPONSE);
        resp.set(state.selfId, to, state.term, requestId, index, status);
        state.out.send(resp);
    }

    /** Whether the commit index is of this leader's term: before, it may lag what earlier leaders committed. */
    private boolean committedInTerm() {
        return state.commitIndex >= state.log.purgedIndex() && state.commitIndex <= state.log.lastIndex()
            && state.log.termAt(state.commitIndex) == state.term;
    }

    private long echoOf(int nodeId) {
        return nodeId == state.selfId ? seq : echoed.get(nodeId);
    }

    /**
     * Forgets everything of an earlier leadership: a new term starts with no echo, no round, no lease. The
     * local reads of a lost leadership are failed by the runtime on {@code LEADERSHIP_LOST}; follower
     * requests are dropped (the followers time out).
     */
    private void sync() {
        final long current = state.role == Role.LEADER ? state.term : -1;
        if (current == term) {
            return;
        }
        term = current;
        echoed.clear();
        confirmedSeq = 0;
        leaseHeld = false;
        leaseAsked = false;
        leaseRevoked = false;
        pendingLastId = -1;
        pendingRemote.clear();
        clearRound();
    }
}
