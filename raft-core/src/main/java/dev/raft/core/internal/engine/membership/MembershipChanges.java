package dev.raft.core.internal.engine.membership;

import dev.raft.api.EntryType;
import dev.raft.api.Membership;
import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.api.error.ConfigIndexMismatchException;
import dev.raft.api.error.LearnerLagException;
import dev.raft.api.error.MembershipChangeInProgressException;
import dev.raft.api.error.NotLeaderException;
import dev.raft.core.internal.engine.RaftState;
import dev.raft.core.internal.engine.RoleChanges;
import dev.raft.core.internal.engine.replication.LeaderReplication;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The leader's rules for changing the membership by joint consensus (Raft paper §6, after etcd-raft's
 * {@code confchange}):
 * <ul>
 *   <li>one change at a time: a change is in progress while the configuration in force is joint or not yet
 *       committed; another request is refused naming it;</li>
 *   <li>a compare-and-set names the index of the configuration in force;</li>
 *   <li>a change of voters goes through the joint configuration C(old,new) (decisions need a majority of each
 *       voter set); once it is committed the leader appends C(new) — any leader, also one elected meanwhile;
 *       a change of learners only appends C(new) at once;</li>
 *   <li>a new voter must be a learner of the configuration in force whose match index is within
 *       {@code maxPromotionLag} entries of the leader's last index; a voter cannot become a learner in one
 *       change;</li>
 *   <li>once C(new) is committed, the leader that asked for it reports the change done, and a leader that is no
 *       voter of C(new) steps down.</li>
 * </ul>
 * Configurations take effect when appended ({@link ConfigHistory}).
 */
public final class MembershipChanges {
    private final RaftState state;
    private final ConfigHistory history;
    private final long maxPromotionLag;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
    private LeaderReplication leader;
    private RoleChanges roles;
    /** The term of the leadership that accepted a change whose completion it reports, or 0. */
    private long owedTerm;

    /** The leader rules for {@code state}, whose configurations {@code history} keeps. */
    public MembershipChanges(RaftState state, ConfigHistory history, long maxPromotionLag) {
        this.state = state;
        this.history = history;
        this.maxPromotionLag = maxPromotionLag;
    }

    /** Connects the handlers this one calls, and listens to the leader's commits. */
    public void wire(LeaderReplication leaderSide, RoleChanges roleChanges) {
        this.leader = leaderSide;
        this.roles = roleChanges;
        leaderSide.onCommitAdvanced(this::onCommitAdvanced);
    }

    /** Whether a change is in progress: the configuration in force is joint or not yet committed. */
    public boolean inProgress() {
        return state.membership.isJoint() || state.membershipIndex > state.commitIndex;
    }

    /** The change in progress, for error messages. */
    public String describeInProgress() {
        return "the membership change to " + state.membership + " at index " + state.membershipIndex
            + (state.membership.isJoint() ? " (joint)" : "") + ", commit index " + state.commitIndex;
    }

    /**
     * Asks for a configuration of {@code voters} and {@code learners}.
     *
     * @param expectedIndex the index of the configuration in force the caller expects, or -1 for any
     * @param endpoints     endpoints of new members (may be empty); members that stay keep theirs
     * @return true if a configuration was appended (its completion comes as {@code MEMBERSHIP_CHANGE_DONE}),
     *         false if the configuration in force already is the one asked for
     * @throws NotLeaderException                   if this node is not the leader
     * @throws MembershipChangeInProgressException  if a change is in progress
     * @throws ConfigIndexMismatchException         if {@code expectedIndex} is not the configuration's index
     * @throws LearnerLagException                  if a learner to promote lags too far
     * @throws IllegalArgumentException             naming the rule a request breaks
     */
    public boolean change(long expectedIndex, int[] voters, int[] learners, Map<Integer, String> endpoints) {
        if (state.role != Role.LEADER) {
            throw new NotLeaderException(state.selfId, state.leaderId, state.term);
        }
        if (inProgress()) {
            throw new MembershipChangeInProgressException(state.selfId, describeInProgress(),
                "changing the membership to voters " + Arrays.toString(voters) + ", learners " + Arrays.toString(learners));
        }
        if (expectedIndex >= 0 && expectedIndex != state.membershipIndex) {
            throw new ConfigIndexMismatchException(state.selfId, expectedIndex, state.membershipIndex);
        }
        final Membership current = state.membership;
        final Membership target = Membership.of(new int[][] {voters}, learners, endpoints).withEndpointsFrom(current);
        for (int id : target.learners()) {
            if (current.isVoter(id)) {
                throw new IllegalArgumentException("node " + state.selfId + ": voter " + id + " cannot become a learner"
                    + " in one change: remove it, then add it as a learner");
            }
        }
        final long last = state.log.lastIndex();
        for (int id : target.voters(0)) {
            if (current.isVoter(id)) {
                continue;
            }
            if (!current.isLearner(id)) {
                throw new IllegalArgumentException("node " + state.selfId + ": node " + id + " is not a learner of "
                    + current + ": add it as a learner first, then promote it once it has caught up");
            }
            final long match = leader.matchIndex(id);
            if (last - match > maxPromotionLag) {
                throw new LearnerLagException(state.selfId, id, match, last, maxPromotionLag);
            }
        }
        if (target.equals(current)) {
            return false;
        }
        owedTerm = state.term;
        if (Arrays.equals(target.voters(0), current.voters(0))) {
            append(target);
        } else {
            append(joint(current, target));
        }
        return true;
    }

    /** C(old,new): both voter sets, the new learners, the endpoints of both. */
    static Membership joint(Membership current, Membership target) {
        final Membership bare = Membership.of(new int[][] {current.voters(0), target.voters(0)}, target.learners());
        final Map<Integer, String> endpoints = new TreeMap<>(current.endpoints());
        endpoints.putAll(target.endpoints());
        endpoints.keySet().removeIf(id -> !bare.contains(id));
        return Membership.of(new int[][] {current.voters(0), target.voters(0)}, target.learners(), endpoints);
    }

    /** C(new) of a joint configuration: its second voter set, its learners, their endpoints. */
    static Membership leaveJoint(Membership joint) {
        return Membership.of(new int[][] {joint.voters(1)}, joint.learners()).withEndpointsFrom(joint);
    }

    /** The leader's commit index advanced: leave a committed joint configuration; finish a committed change. */
    private void onCommitAdvanced() {
        history.committed();
        if (state.role != Role.LEADER || state.membershipIndex > state.commitIndex) {
            return;
        }
        if (state.membership.isJoint()) {
            append(leaveJoint(state.membership));
            return;
        }
        if (owedTerm == state.term) {
            owedTerm = 0;
            state.out.membershipChangeDone(state.membership, state.membershipIndex);
        }
        if (!state.membership.isVoter(state.selfId)) {
            roles.becomeFollower(state.term, NodeId.NONE); // removed: the new configuration elects without it
        }
    }

    /** Appends {@code membership} as this leader's next entry: in force at once, replicated to its members. */
    private void append(Membership membership) {
        final byte[] bytes = membership.encode();
        payload.wrap(bytes);
        final long index = leader.appendLocal(EntryType.MEMBERSHIP, payload, 0, bytes.length);
        history.appended(index, membership);
        leader.flushPending();
    }
}
