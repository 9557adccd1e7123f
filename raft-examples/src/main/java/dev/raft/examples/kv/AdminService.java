package dev.raft.examples.kv;

import dev.raft.api.Membership;
import dev.raft.api.RaftMetrics;
import dev.raft.api.RaftNode;
import dev.raft.api.Role;
import dev.raft.api.error.ConfigIndexMismatchException;
import dev.raft.api.error.LeadershipTransferException;
import dev.raft.api.error.LeadershipTransferInProgressException;
import dev.raft.api.error.LearnerLagException;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.examples.internal.codec.KvStatus;
import dev.raft.examples.internal.codec.ResponseCode;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.agrona.DirectBuffer;

/**
 * Executes {@code raftkv admin} requests ({@link AdminRequests}) on the leader: reads the membership, adds a
 * learner, promotes a learner or removes a member (each a compare-and-set on the membership in force, so that two
 * operators cannot overwrite each other's change), or transfers the leadership. Answers with the membership in
 * force once the change is committed; a refused change (another in progress, a lagging learner, a changed
 * configuration, a bad id) is REJECTED with the engine's one-line reason; a change whose fate is unknown (the
 * leader lost its leadership or stopped meanwhile) is an ERROR.
 */
final class AdminService {
    /** What to answer: the code, the result (an OK KvResult holding an AdminResult) or the message. */
    record Answer(ResponseCode code, byte[] result, String message) {
    }

    private AdminService() {
    }

    /** Decodes and executes one request; the future never fails. */
    static CompletableFuture<Answer> execute(RaftNode raft, DirectBuffer buffer, int offset, int length) {
        final AdminRequests.Request request = AdminRequests.decodeRequest(buffer, offset, length);
        if (request == null) {
            return CompletableFuture.completedFuture(new Answer(ResponseCode.REJECTED, null,
                "malformed admin request of " + length + " bytes"));
        }
        final RaftMetrics m = raft.metrics();
        if (m.role() != Role.LEADER) {
            return CompletableFuture.completedFuture(new Answer(ResponseCode.NOT_LEADER, null,
                "node " + m.nodeId() + " is not the leader"));
        }
        final CompletableFuture<?> done;
        try {
            done = switch (request.op()) {
                case MEMBERS -> CompletableFuture.completedFuture(null);
                case ADD_LEARNER -> raft.addLearner(request.nodeId(), request.endpoint());
                case PROMOTE -> change(raft, m, request, true);
                case REMOVE -> change(raft, m, request, false);
                case TRANSFER -> raft.transferLeadership(request.nodeId());
            };
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Answer(ResponseCode.REJECTED, null, e.getMessage()));
        }
        // a transfer completes once this node knows the target leads, which its published metrics may not show yet
        final int leader = request.op() == AdminRequests.Op.TRANSFER ? request.nodeId() : 0;
        return done.handle((ignored, error) -> error == null ? answer(raft, leader) : failure(raft, request, unwrap(error)));
    }

    /** PROMOTE or REMOVE {@code request.nodeId()} from the membership in force, compared by its index. */
    private static CompletableFuture<Membership> change(RaftNode raft, RaftMetrics m, AdminRequests.Request request,
                                                        boolean promote) {
        final Membership now = m.membership();
        final int id = request.nodeId();
        if (now.isJoint()) {
            throw new IllegalArgumentException("a joint configuration is in force (" + now + "); retry once it is final");
        }
        if (promote && !now.isLearner(id)) {
            throw new IllegalArgumentException("node " + id + " is not a learner of " + now + "; add it with add-learner first");
        }
        if (!promote && !now.contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not a member of " + now);
        }
        final int[] voters = promote ? IntStream.concat(Arrays.stream(now.voters(0)), IntStream.of(id)).toArray()
            : Arrays.stream(now.voters(0)).filter(v -> v != id).toArray();
        final int[] learners = Arrays.stream(now.learners()).filter(l -> l != id).toArray();
        if (voters.length == 0) {
            throw new IllegalArgumentException("node " + id + " is the last voter of " + now + "; a cluster needs one");
        }
        final long expected = request.expectedConfigIndex() == AdminRequests.ANY_CONFIG_INDEX ? m.membershipIndex()
            : request.expectedConfigIndex();
        return raft.changeMembership(expected, voters, learners);
    }

    /** The membership in force on this node, as an OK answer naming {@code leader}, or if 0 the one it knows. */
    private static Answer answer(RaftNode raft, int leader) {
        final RaftMetrics m = raft.metrics();
        final byte[] value = AdminRequests.result(m.membershipIndex(), leader != 0 ? leader : m.leaderId(), m.membership());
        return new Answer(ResponseCode.OK, KvCommands.result(KvStatus.OK, value), null);
    }

    private static Answer failure(RaftNode raft, AdminRequests.Request request, Throwable cause) {
        final String what = request.op().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        if (cause instanceof NotLeaderException) {
            return new Answer(ResponseCode.NOT_LEADER, null, cause.getMessage());
        }
        if (cause instanceof IllegalArgumentException || cause instanceof MembershipChangeInProgressException
            || cause instanceof LeadershipTransferInProgressException || cause instanceof LearnerLagException
            || cause instanceof ConfigIndexMismatchException || cause instanceof LeadershipTransferException) {
            return new Answer(ResponseCode.REJECTED, null, what + " refused: " + cause.getMessage());
        }
        return new Answer(ResponseCode.ERROR, null, what + " on node " + raft.metrics().nodeId()
            + " failed after it was proposed (" + cause.getMessage() + "); read the membership again");
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
