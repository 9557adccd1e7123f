package dev.raft.core.internal.engine.quorum;

import dev.raft.api.Membership;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.function.IntToLongFunction;

/**
 * Quorum math as pure functions (after etcd-raft's {@code quorum/majority.go} and {@code joint.go}): one
 * voter set decides by a strict majority; a joint configuration (two voter sets during a membership
 * change) decides only when every set decides the same way. Learners are never counted. Allocation-free.
 */
public final class Quorum {
    private Quorum() {
    }

    /**
     * The vote result of voter set {@code set}: won with a strict majority of grants, lost once the voters
     * not rejecting are no majority, else pending.
     */
    public static VoteResult majorityVoteResult(Membership membership, int set, IntPredicate granted,
                                                IntPredicate rejected) {
        final int n = membership.voterSetSize(set);
        int yes = 0;
        int no = 0;
        for (int i = 0; i < n; i++) {
            final int id = membership.voterAt(set, i);
            if (granted.test(id)) {
                yes++;
            } else if (rejected.test(id)) {
                no++;
            }
        }
        if (yes * 2 > n) {
            return VoteResult.WON;
        }
        return (n - no) * 2 > n ? VoteResult.PENDING : VoteResult.LOST;
    }

    /**
     * The vote result of the whole configuration: won when every voter set is won, lost when any is lost,
     * else pending.
     */
    public static VoteResult voteResult(Membership membership, IntPredicate granted, IntPredicate rejected) {
        VoteResult result = VoteResult.WON;
        for (int set = 0; set < membership.voterSetCount(); set++) {
            final VoteResult r = majorityVoteResult(membership, set, granted, rejected);
            if (r == VoteResult.LOST) {
                return VoteResult.LOST;
            }
            if (r == VoteResult.PENDING) {
                result = VoteResult.PENDING;
            }
        }
        return result;
    }

    /** Whether the voters for which {@code yes} holds form a quorum of every voter set. */
    public static boolean isQuorum(Membership membership, IntPredicate yes) {
        return voteResult(membership, yes, id -> false) == VoteResult.WON;
    }

    /**
     * The highest value a strict majority of voter set {@code set} has reached (for example the match
     * index every one of a majority holds).
     *
     * @param scratch at least as long as the set, reused to avoid allocation
     */
    public static long majorityCommittedIndex(Membership membership, int set, IntToLongFunction valueOf,
                                              long[] scratch) {
        final int n = membership.voterSetSize(set);
        for (int i = 0; i < n; i++) {
            scratch[i] = valueOf.applyAsLong(membership.voterAt(set, i));
        }
        Arrays.sort(scratch, 0, n);
        // ascending: the element at n - (n/2 + 1) is reached by n/2 + 1 voters, a majority
        return scratch[n - (n / 2 + 1)];
    }

    /**
     * The committed index of the whole configuration: the smallest of the voter sets' majority values.
     *
     * @param scratch at least {@link Membership#maxVoterSetSize()} long
     */
    public static long committedIndex(Membership membership, IntToLongFunction valueOf, long[] scratch) {
        long result = Long.MAX_VALUE;
        for (int set = 0; set < membership.voterSetCount(); set++) {
            result = Math.min(result, majorityCommittedIndex(membership, set, valueOf, scratch));
        }
        return result;
    }
}
