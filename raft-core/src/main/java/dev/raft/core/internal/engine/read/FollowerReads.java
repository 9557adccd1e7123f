package dev.raft.core.internal.engine.read;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.message.MessageType;
import dev.raft.api.message.ReadIndexRequest;
import dev.raft.api.message.ReadIndexResponse;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.RaftState;

/**
 * Follower reads (dissertation §6.4): a follower (or learner) collects its linearizable reads and asks the
 * leader for a read index with one {@link ReadIndexRequest} per batch, one request in flight at a time. The
 * leader answers once it has confirmed its leadership (or from its lease, for a batch of LEASE reads only);
 * the reads are then ready at that index ({@code READ_READY}), and the runtime serves them locally once it
 * has applied it. The answer is valid whatever this node's role or term has become meanwhile: the index was
 * committed, and confirmed by the leader after the reads arrived. A batch unanswered within the minimum
 * election timeout, refused, or collected while no leader is known fails ({@code READ_FAILED}, retriable);
 * a node that became leader fails the batches it collected as a follower.
 */
public final class FollowerReads {
    private final RaftState state;
    /** Reads collected for the next request: the last one's id (-1: none), whether all are LEASE reads. */
    private long pendingLastId = -1;
    private boolean pendingLease;
    /** The request in flight: its id (0: none), its batch's last read id, to whom and when it went. */
    private long requestId;
    private long inflightId;
    private long inflightLastId = -1;
    private int inflightTo = NodeId.NONE;
    private long inflightSentAt;

    FollowerReads(RaftState state) {
        this.state = state;
    }

    /**
     * A local read on a non-leader (no event: nothing is emitted).
     *
     * @return {@link Reads#QUEUED} or {@link Reads#NOT_LEADER} when no leader is known
     */
    long submit(long readId, boolean lease) {
        if (state.leaderId == NodeId.NONE || state.leaderId == state.selfId) {
            return Reads.NOT_LEADER;
        }
        pendingLease = pendingLastId < 0 ? lease : pendingLease && lease;
        pendingLastId = readId;
        return Reads.QUEUED;
    }

    /** Time passed: fails what a leader collected as a follower, times out a request, sends the next one. */
    void tick() {
        if (state.role == Role.LEADER) {
            failInflight(ReadFailure.NOT_READY);
            failPending(ReadFailure.NOT_READY);
            return;
        }
        if (inflightId != 0 && state.now - inflightSentAt >= state.electionMinNanos) {
            failInflight(ReadFailure.NOT_READY);
        }
        maybeSend();
    }

    /** The leader answered a request. */
    void onReadIndexResponse(ReadIndexResponse resp) {
        if (inflightId == 0 || resp.requestId() != inflightId || resp.from() != inflightTo) {
            state.count(EngineCounter.STALE_MESSAGES);
            return;
        }
        switch (resp.status()) {
            case OK -> state.out.readReady(inflightLastId, resp.readIndex());
            case NOT_LEADER -> state.out.readFailed(inflightLastId, ReadFailure.NOT_LEADER);
            case NOT_READY -> state.out.readFailed(inflightLastId, ReadFailure.NOT_READY);
        }
        clearInflight();
        if (state.role != Role.LEADER) {
            maybeSend();
        }
    }

    private void maybeSend() {
        if (inflightId != 0 || pendingLastId < 0) {
            return;
        }
        if (state.leaderId == NodeId.NONE || state.leaderId == state.selfId) {
            failPending(ReadFailure.NOT_LEADER);
            return;
        }
        inflightId = ++requestId;
        inflightLastId = pendingLastId;
        inflightTo = state.leaderId;
        inflightSentAt = state.now;
        pendingLastId = -1;
        final ReadIndexRequest req = state.out.message(MessageType.READ_INDEX_REQUEST);
        req.set(state.selfId, inflightTo, state.term, inflightId, pendingLease);
        state.out.send(req);
        state.count(EngineCounter.READ_INDEX_REQUESTS);
    }

    private void failInflight(ReadFailure failure) {
        if (inflightId != 0) {
            state.out.readFailed(inflightLastId, failure);
            clearInflight();
        }
    }

    private void failPending(ReadFailure failure) {
        if (pendingLastId >= 0) {
            state.out.readFailed(pendingLastId, failure);
            pendingLastId = -1;
        }
    }

    private void clearInflight() {
        inflightId = 0;
        inflightLastId = -1;
        inflightTo = NodeId.NONE;
    }
}
