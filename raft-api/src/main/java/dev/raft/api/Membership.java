package dev.raft.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A cluster configuration: one voter set, or two during a joint-consensus change (Raft paper §6),
 * plus learners that receive the log but never vote.
 *
 * <p>Quorum rules (computed by the core's quorum functions): a decision needs a majority of
 * <em>every</em> voter set; learners are never counted. Immutable; every accessor that returns an array returns a copy.
 *
 * <p>Invariants, checked on construction: at least one voter set; every voter set non-empty; every id
 * valid ({@link NodeId#isValid}); no id twice in a set; a learner is in no voter set.
 */
public final class Membership {
    private static final int FORMAT_VERSION = 1;

    private final int[][] voterSets;
    private final int[] learners;
    private final int[] allNodes;

    private Membership(int[][] voterSets, int[] learners) {
        if (voterSets.length == 0) {
            throw new IllegalArgumentException("Membership: at least one voter set is required");
        }
        this.voterSets = new int[voterSets.length][];
        for (int s = 0; s < voterSets.length; s++) {
            this.voterSets[s] = sortedUnique(voterSets[s], "voter set " + s);
            if (this.voterSets[s].length == 0) {
                throw new IllegalArgumentException("Membership: voter set " + s + " is empty");
            }
        }
        this.learners = sortedUnique(learners, "learners");
        for (int learner : this.learners) {
            if (isVoter(learner)) {
                throw new IllegalArgumentException("Membership: node " + learner + " is both a voter and a learner");
            }
        }
        this.allNodes = union();
    }

    /** A single voter set and no learners. */
    public static Membership of(int... voters) {
        return new Membership(new int[][] {voters.clone()}, new int[0]);
    }

    /** A joint configuration of the old and the new voter set (C<sub>old,new</sub>). */
    public static Membership joint(int[] oldVoters, int[] newVoters) {
        return new Membership(new int[][] {oldVoters.clone(), newVoters.clone()}, new int[0]);
    }

    /** Any number of voter sets (at least one) and the given learners. */
    public static Membership of(int[][] voterSets, int[] learners) {
        final int[][] copy = new int[voterSets.length][];
        for (int i = 0; i < voterSets.length; i++) {
            copy[i] = voterSets[i].clone();
        }
        return new Membership(copy, learners.clone());
    }

    /** This configuration with the given learners instead of the current ones. */
    public Membership withLearners(int... newLearners) {
        return new Membership(voterSets, newLearners.clone());
    }

    /** Whether this is a joint configuration (more than one voter set). */
    public boolean isJoint() {
        return voterSets.length > 1;
    }

    /** The number of voter sets: 1, or 2 during a joint change. */
    public int voterSetCount() {
        return voterSets.length;
    }

    /** A copy of voter set {@code set}, sorted ascending. */
    public int[] voters(int set) {
        return voterSets[set].clone();
    }

    /** A copy of the learners, sorted ascending. */
    public int[] learners() {
        return learners.clone();
    }

    /** Every voter of every set and every learner, sorted ascending, each once. */
    public int[] allNodes() {
        return allNodes.clone();
    }

    /** The number of distinct nodes (voters of any set and learners). */
    public int size() {
        return allNodes.length;
    }

    /** The {@code i}-th of {@link #allNodes()} without copying. */
    public int nodeAt(int i) {
        return allNodes[i];
    }

    /** Whether {@code id} is a voter in any voter set. */
    public boolean isVoter(int id) {
        for (int[] set : voterSets) {
            if (Arrays.binarySearch(set, id) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code id} is a learner. */
    public boolean isLearner(int id) {
        return Arrays.binarySearch(learners, id) >= 0;
    }

    /** Whether {@code id} is a voter or a learner. */
    public boolean contains(int id) {
        return Arrays.binarySearch(allNodes, id) >= 0;
    }

    /** The number of voters in voter set {@code set}, without copying (for quorum math). */
    public int voterSetSize(int set) {
        return voterSets[set].length;
    }

    /** The {@code i}-th voter (ascending) of voter set {@code set}, without copying (for quorum math). */
    public int voterAt(int set, int i) {
        return voterSets[set][i];
    }

    /** The size of the largest voter set. */
    public int maxVoterSetSize() {
        int max = 0;
        for (int[] set : voterSets) {
            max = Math.max(max, set.length);
        }
        return max;
    }

    /**
     * The stable binary form, used as the payload of {@link EntryType#MEMBERSHIP} entries and in
     * snapshot metadata: version, set count, each set (count, ids), learner count, learner ids; all
     * little-endian ints.
     */
    public byte[] encode() {
        int ints = 2 + 1 + learners.length;
        for (int[] set : voterSets) {
            ints += 1 + set.length;
        }
        final ByteBuffer out = ByteBuffer.allocate(ints * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(FORMAT_VERSION).putInt(voterSets.length);
        for (int[] set : voterSets) {
            out.putInt(set.length);
            for (int id : set) {
                out.putInt(id);
            }
        }
        out.putInt(learners.length);
        for (int id : learners) {
            out.putInt(id);
        }
        return out.array();
    }

    /**
     * Decodes {@link #encode()}'s form.
     *
     * @throws IllegalArgumentException naming the byte offset if the bytes are not a valid membership
     */
    public static Membership decode(byte[] bytes) {
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            final int version = in.getInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("Membership.decode: unknown format version " + version + " at byte 0");
            }
            final int sets = readCount(in, "voter set count");
            final int[][] voterSets = new int[sets][];
            for (int s = 0; s < sets; s++) {
                voterSets[s] = readIds(in, "voter set " + s);
            }
            final int[] learners = readIds(in, "learners");
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Membership.decode: " + in.remaining() + " trailing bytes at byte " + in.position());
            }
            return new Membership(voterSets, learners);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("Membership.decode: truncated input of " + bytes.length + " bytes", e);
        }
    }

    private static int[] readIds(ByteBuffer in, String what) {
        final int[] ids = new int[readCount(in, what + " size")];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = in.getInt();
        }
        return ids;
    }

    private static int readCount(ByteBuffer in, String what) {
        final int position = in.position();
        final int count = in.getInt();
        if (count < 0 || count > in.remaining() / Integer.BYTES) {
            throw new IllegalArgumentException("Membership.decode: " + what + " " + count + " out of bounds at byte " + position);
        }
        return count;
    }

    private static int[] sortedUnique(int[] ids, String what) {
        final int[] sorted = ids.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            NodeId.require(sorted[i], "Membership " + what);
            if (i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("Membership: node " + sorted[i] + " appears twice in " + what);
            }
        }
        return sorted;
    }

    private int[] union() {
        return java.util.stream.IntStream.concat(
                Arrays.stream(voterSets).flatMapToInt(Arrays::stream), Arrays.stream(learners))
            .distinct().sorted().toArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Membership other && Arrays.deepEquals(voterSets, other.voterSets)
            && Arrays.equals(learners, other.learners);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(voterSets) + Arrays.hashCode(learners);
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("Membership{voters=");
        for (int s = 0; s < voterSets.length; s++) {
            sb.append(s == 0 ? "" : "+").append(Arrays.toString(voterSets[s]));
        }
        return sb.append(", learners=").append(Arrays.toString(learners)).append('}').toString();
    }
}
