package dev.raft.core.internal.engine.election;

import dev.raft.api.LogId;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.message.TimeoutNowResponse;
import dev.raft.api.message.VoteRequest;
import dev.raft.api.message.VoteResponse;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.quorum.VoteResult;
import dev.raft.core.internal.engine.replication.FollowerReplication;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import dev.raft.core.internal.engine.snapshot.SnapshotReceiver;

/**
 * Leader election and the role changes: randomized election timeouts (§5.2), PreVote (a pre-candidate asks
 * for votes for {@code term + 1} without changing anyone's term), vote requests and answers (a vote only
 * for a candidate whose log is at least as up to date, persisted before the answer is sent), the tally, and
 * CheckQuorum (a leader that has not heard from a quorum within an election timeout steps down; a node
 * that heard from a live leader within the minimum election timeout refuses higher-term vote requests
 * without changing its term: the lease), and the voter's and the target's side of a leadership transfer: a
 * TimeoutNow from the current leader makes a voter campaign at once, flagging its vote requests; a voter sets
 * its lease aside for such a request only when it can tell it comes from a transfer ({@link #transferVote}).
 */
public final class Election implements RoleChanges {
    private final RaftState state;
    private final VoteTally tally;
    private LeaderReplication leader;
    private FollowerReplication follower;
    private SnapshotReceiver receiver;
    private LeadershipTransfer transfer;
    /** Leader: when CheckQuorum judges next (no quorum contact can be too old before). */
    private long checkQuorumDeadline;
    /** Leader: when this leadership began. */
    private long leaderSince;
    /** Leader: the time of its previous tick, to tell a stall of its own. */
    private long lastLeaderTick;
    /** Leader: whether a stall of its own was excused, and the quorum contact time it was excused at. */
    private boolean stallExcused;
    private long excusedContact;

    /** Elections for {@code state}. */
    public Election(RaftState state) {
        this.state = state;
        this.tally = new VoteTally(state);
    }

    /** Connects the handlers this one calls. */
    public void wire(LeaderReplication leaderSide, FollowerReplication followerSide, SnapshotReceiver snapshotReceiver,
                     LeadershipTransfer leadershipTransfer) {
        this.leader = leaderSide;
        this.follower = followerSide;
        this.receiver = snapshotReceiver;
        this.transfer = leadershipTransfer;
    }

    /** The election timeout elapsed on a non-leader: a voter campaigns, anyone else waits another timeout. */
    public void onElectionTimeout() {
        if (state.role == Role.LEARNER || !state.membership.isVoter(state.selfId)) {
            state.resetElectionTimer();
            return;
        }
        state.count(EngineCounter.ELECTIONS_STARTED);
        if (state.preVote) {
            becomePreCandidate();
        } else {
            becomeCandidate(false);
        }
    }

    /**
     * A TimeoutNow arrived: from the leader of the current term to a voter, it starts an election at once
     * (no pre-vote, flagged as a transfer); anything else is answered refused and counted stale.
     */
    public void onTimeoutNow(TimeoutNowRequest req) {
        final boolean accept = req.term() == state.term && req.from() == state.leaderId
            && state.role == Role.FOLLOWER && state.isVoter();
        final TimeoutNowResponse resp = state.out.message(MessageType.TIMEOUT_NOW_RESPONSE);
        resp.set(state.selfId, req.from(), state.term, accept);
        state.out.send(resp);
        if (!accept) {
            state.count(EngineCounter.STALE_MESSAGES);
            return;
        }
        state.count(EngineCounter.ELECTIONS_STARTED);
        becomeCandidate(true);
    }

    /**
     * Leader: CheckQuorum. A leader steps down, handing over with a TimeoutNow to its most up-to-date voter
     * ({@link LeadershipTransfer#handOffOnStepDown}), once no quorum has answered it for the minimum election timeout,
     * judged continuously (not at the end of fixed windows, which let a lost quorum go unnoticed for up to two
     * timeouts); a new leader first waits the maximum election timeout from its election for the first answers. A leader whose own thread did not tick for longer than a heartbeat interval (a stall: a pause, a
     * descheduled thread) sent nothing meanwhile, so its followers had nothing to answer: it gives them a fresh
     * minimum election timeout from the end of the stall before judging, once per stall and not again until a
     * quorum has answered since (a leader stalling over and over with silent followers still steps down).
     *
     * @return whether this node stepped down
     */
    public boolean tickCheckQuorum() {
        if (!state.checkQuorum) {
            return false;
        }
        if (state.now - lastLeaderTick > state.heartbeatNanos) {
            // one fresh timeout per stall, and none again until the quorum has been heard from since the last one:
            // a leader that stalls over and over while nobody answers must still step down
            final long contact = leader.tracker().quorumContact();
            if (!stallExcused || contact != excusedContact) {
                stallExcused = true;
                excusedContact = contact;
                checkQuorumDeadline = Math.max(checkQuorumDeadline, state.now + state.electionMinNanos);
            }
        }
        lastLeaderTick = state.now;
        if (state.now - checkQuorumDeadline < 0) {
            return false;
        }
        // the answers only move the contact time forward: until the deadline computed here nothing can be due; the
        // first answers of a new leadership may take up to the maximum election timeout (a voter that just granted
        // its vote may be busy: restarted a moment ago, still replaying or truncating its log)
        checkQuorumDeadline = Math.max(leader.tracker().quorumContact() + state.electionMinNanos,
            leaderSince + state.electionMaxNanos);
        if (state.now - checkQuorumDeadline >= 0) {
            transfer.handOffOnStepDown();
            becomeFollower(state.term, NodeId.NONE);
            return true;
        }
        return false;
    }

    private void becomePreCandidate() {
        state.count(EngineCounter.PRE_VOTES_STARTED);
        state.role = Role.PRE_CANDIDATE;
        state.leaderId = NodeId.NONE;
        tally.reset();
        state.resetElectionTimer();
        requestVotes(state.term + 1, true, false);
        checkVotes();
    }

    private void becomeCandidate(boolean leadershipTransfer) {
        state.role = Role.CANDIDATE;
        state.term++;
        state.votedFor = state.selfId;
        state.leaderId = NodeId.NONE;
        follower.resetAcks();
        state.out.persistVote(state.term, state.selfId); // before the requests that ask for votes in this term
        tally.reset();
        state.resetElectionTimer();
        requestVotes(state.term, false, leadershipTransfer);
        checkVotes();
    }

    private void requestVotes(long electionTerm, boolean preVote, boolean leadershipTransfer) {
        for (int id : state.peerIds) {
            if (state.membership.isVoter(id)) {
                final VoteRequest req = state.out.message(MessageType.VOTE_REQUEST);
                req.set(state.selfId, id, electionTerm, state.log.lastIndex(), state.log.lastTerm(), preVote,
                    leadershipTransfer);
                state.out.send(req);
            }
        }
    }

    private void checkVotes() {
        final VoteResult result = tally.result();
        if (result == VoteResult.WON) {
            if (state.role == Role.PRE_CANDIDATE) {
                becomeCandidate(false);
            } else if (state.role == Role.CANDIDATE) {
                becomeLeader();
            }
        } else if (result == VoteResult.LOST) {
            becomeFollower(state.term, NodeId.NONE);
        }
    }

    private void becomeLeader() {
        state.count(EngineCounter.LEADERSHIPS_WON);
        receiver.dropStreamOnLeadership(); // a stream from an older leader; a leader must be free to build snapshots
        state.role = Role.LEADER;
        state.leaderId = state.selfId;
        leaderSince = state.now;
        checkQuorumDeadline = state.now + state.electionMaxNanos;
        lastLeaderTick = state.now;
        stallExcused = false;
        leader.becomeLeader();
    }

    @Override
    public void becomeFollower(long newTerm, int leaderId) {
        final boolean wasLeader = state.role == Role.LEADER;
        final long oldTerm = state.term;
        if (newTerm > state.term) {
            state.term = newTerm;
            state.votedFor = NodeId.NONE;
            follower.resetAcks();
            state.out.persistVote(state.term, NodeId.NONE);
        }
        if (wasLeader) {
            state.out.leadershipLost(oldTerm);
        }
        state.role = state.followerRole();
        state.leaderId = leaderId;
        state.resetElectionTimer();
        transfer.onLeaderKnown(leaderId);
    }

    /**
     * Steps to a newer term learned from a vote request or a vote answer: a follower with no known leader, keeping
     * its election deadline. Raft restarts the timer only for the current leader's messages and for a granted vote
     * (Figure 2), not for a term learned from a rival: the node that refused a candidate for its more up-to-date log,
     * or whose own campaign was refused by a candidate of a newer term, is the one best placed to win, and a fresh
     * timeout here cost the real cluster a whole further election round (~300 ms). Whose deadline has passed
     * campaigns again at its next tick, in the new term. A leader (its deadline unused, so stale) gets a fresh one.
     */
    private void adoptNewerTerm(long newTerm) {
        final long deadline = state.electionDeadline;
        final boolean keepDeadline = state.role != Role.LEADER;
        becomeFollower(newTerm, NodeId.NONE);
        if (keepDeadline) {
            state.electionDeadline = deadline;
        }
    }

    @Override
    public boolean isAnswerToCurrentLeader(long responseTerm) {
        if (responseTerm > state.term) {
            becomeFollower(responseTerm, NodeId.NONE);
            return false;
        }
        if (state.role != Role.LEADER || responseTerm < state.term) {
            state.count(EngineCounter.STALE_MESSAGES);
            return false;
        }
        return true;
    }

    /** A (pre-)vote request arrived. */
    public void onVoteRequest(VoteRequest req) {
        final int from = req.from();
        final boolean upToDate = LogId.compare(req.lastLogTerm(), req.lastLogIndex(), state.log.lastTerm(),
            state.log.lastIndex()) >= 0;
        if (req.term() > state.term && inLease() && !transferVote(req, upToDate)) {
            // a live leader is known: a disruptive candidate (e.g. one rejoining after a partition) is refused
            // without changing term (CheckQuorum's leader stickiness)
            sendVoteResponse(from, state.term, false, req.isPreVote());
            return;
        }
        if (req.term() < state.term) {
            sendVoteResponse(from, state.term, false, req.isPreVote());
            return;
        }
        // any node asked may vote, learners and nodes outside their own configuration too (as in etcd-raft): a learner
        // promoted by a configuration it has not received yet must still be able to vote, else the new configuration
        // may never elect; a vote counts only if the candidate's configuration names the voter
        final boolean mayVote = true;
        if (req.isPreVote()) {
            final boolean grant = mayVote && upToDate && (req.term() > state.term
                || state.votedFor == from || (state.votedFor == NodeId.NONE && state.leaderId == NodeId.NONE));
            sendVoteResponse(from, grant ? req.term() : state.term, grant, true);
            if (grant) {
                makeWayFor(req);
            }
            return;
        }
        if (req.term() > state.term) {
            adoptNewerTerm(req.term());
        }
        final boolean canVote = state.votedFor == from
            || (state.votedFor == NodeId.NONE && state.leaderId == NodeId.NONE);
        final boolean grant = mayVote && canVote && upToDate;
        if (grant && state.votedFor != from) {
            state.votedFor = from;
            state.out.persistVote(state.term, from); // before the answer below
            state.resetElectionTimer();
        }
        sendVoteResponse(from, state.term, grant, false);
    }

    /** A (pre-)vote answer arrived. */
    public void onVoteResponse(VoteResponse resp) {
        if (resp.isPreVote()) {
            if (!resp.isGranted() && resp.term() > state.term) {
                // refused by a voter of a newer term (typically a candidate that voted for itself): campaign again at
                // the next tick in that term rather than after a further timeout; once per newer term learned, as a
                // refusal in the same term ends the campaign (a lost tally restarts the timer)
                final boolean campaigning = state.role == Role.PRE_CANDIDATE;
                adoptNewerTerm(resp.term());
                if (campaigning) {
                    state.electionDeadline = state.now;
                }
                return;
            }
            if (state.role == Role.PRE_CANDIDATE
                && (resp.isGranted() ? resp.term() == state.term + 1 : resp.term() <= state.term)) {
                tally.record(resp.from(), resp.isGranted());
                checkVotes();
            } else {
                state.count(EngineCounter.STALE_MESSAGES);
            }
            return;
        }
        if (resp.term() > state.term) {
            adoptNewerTerm(resp.term());
            return;
        }
        if (state.role == Role.CANDIDATE && resp.term() == state.term) {
            tally.record(resp.from(), resp.isGranted());
            checkVotes();
        } else {
            state.count(EngineCounter.STALE_MESSAGES);
        }
    }

    /**
     * After granting {@code req}'s pre-vote: gives its sender the time to ask for the real votes before this node
     * campaigns itself. Two nodes that campaign within a round trip of each other both reach the candidate role, each
     * votes for itself and, with one voter down, neither wins: the election costs another whole timeout. So a follower
     * that granted a pre-vote lets at least half the minimum election timeout pass before its own timer may fire (a
     * bounded postponement, shorter than the sender's retry interval: a sender that never follows up cannot keep this
     * node from campaigning), and a pre-candidate steps back for a sender with a more up-to-date log, or an equally
     * up-to-date one and a lower id (an order both sides agree on, so exactly one of two rivals steps back).
     */
    private void makeWayFor(VoteRequest req) {
        if (state.role == Role.PRE_CANDIDATE) {
            // granted, so the sender's log is at least as up to date as this node's
            final boolean sameLog = LogId.compare(req.lastLogTerm(), req.lastLogIndex(), state.log.lastTerm(),
                state.log.lastIndex()) == 0;
            if (sameLog && req.from() > state.selfId) {
                return;
            }
            state.count(EngineCounter.PRE_VOTES_YIELDED);
            state.role = state.followerRole();
        } else if (state.role != Role.FOLLOWER) {
            return;
        }
        final long earliest = state.now + state.electionMinNanos / 2;
        if (state.electionDeadline - earliest < 0) {
            state.electionDeadline = earliest;
        }
    }

    private void sendVoteResponse(int to, long responseTerm, boolean granted, boolean preVote) {
        final VoteResponse resp = state.out.message(MessageType.VOTE_RESPONSE);
        resp.set(state.selfId, to, responseTerm, granted, preVote);
        state.out.send(resp);
    }

    /**
     * Whether a vote request flagged as a leadership transfer may set this node's lease aside. etcd-raft honours
     * the flag from anyone; here it must be credible. The leader knows: only from the target it sent TimeoutNow
     * to. A follower cannot see the TimeoutNow, but a candidate told to campaign by the leader of the current
     * term T campaigns in T + 1 with a log the leader caught up: ending with an entry of T and at least as up to
     * date as the follower's. A node that missed the leader's entries (one rejoining after a partition) cannot
     * show that, so it cannot disrupt by setting the flag.
     */
    private boolean transferVote(VoteRequest req, boolean upToDate) {
        if (!req.isLeadershipTransfer() || req.isPreVote()) {
            return false;
        }
        if (state.role == Role.LEADER) {
            return transfer.sentTimeoutNowTo(req.from());
        }
        return req.term() == state.term + 1 && req.lastLogTerm() == state.term && upToDate;
    }

    /** Whether this node knows a live leader (itself, or one heard from within the minimum election timeout). */
    private boolean inLease() {
        if (!state.checkQuorum) {
            return false;
        }
        return state.role == Role.LEADER
            || (state.leaderId != NodeId.NONE && state.now - state.lastLeaderContact < state.electionMinNanos);
    }
}
