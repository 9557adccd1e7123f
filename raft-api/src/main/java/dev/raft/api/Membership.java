package dev.raft.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster configuration: one voter set, or two during a joint-consensus change (Raft paper §6),
 * plus learners that receive the log but never vote.
 *
 * <p>Quorum rules (computed by the core's quorum functions): a decision needs a majority of
 * <em>every</em> voter set; learners are never counted. Immutable; every accessor that returns an array returns a copy.
 *
 * <p>Each member may carry its network endpoint ({@code "host:port"}, see {@link #endpoint(int)}), so that a
 * transport learns where a member added at run time listens: a configuration change keeps the endpoints of
 * the members that stay ({@link #withEndpointsFrom}). Endpoints take part in {@link #equals}.
 *
 * <p>Invariants, checked on construction: at least one voter set; every voter set non-empty; every id
 * valid ({@link NodeId#isValid}); no id twice in a set; a learner is in no voter set; an endpoint only for a
 * member, and well formed ({@link #requireEndpoint}).
 */
public final class Membership {
    /** Version 1: voter sets and learners. Version 2 (written now): version 1 and the members' endpoints. */
    private static final int FORMAT_VERSION_1 = 1;
    private static final int FORMAT_VERSION = 2;
    /** The longest endpoint, in characters. */
    public static final int MAX_ENDPOINT_LENGTH = 255;

    private final int[][] voterSets;
    private final int[] learners;
    private final int[] allNodes;
    /** The endpoint of {@code allNodes[i]}, or null. */
    private final String[] endpoints;

    private Membership(int[][] voterSets, int[] learners) {
        this(voterSets, learners, null);
    }

    private Membership(int[][] voterSets, int[] learners, Map<Integer, String> endpointsById) {
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
        this.endpoints = new String[allNodes.length];
        if (endpointsById != null) {
            for (Map.Entry<Integer, String> e : endpointsById.entrySet()) {
                final int slot = Arrays.binarySearch(allNodes, e.getKey());
                if (slot < 0) {
                    throw new IllegalArgumentException("Membership: endpoint " + e.getValue() + " given for node "
                        + e.getKey() + ", which is not a member");
                }
                if (e.getValue() != null) {
                    endpoints[slot] = requireEndpoint(e.getValue(), "Membership endpoint of node " + e.getKey());
                }
            }
        }
    }

    /**
     * Any number of voter sets (at least one), the given learners and the endpoints of some members.
     *
     * @param endpoints by node id; every key must be a member; a null value means unknown
     */
    public static Membership of(int[][] voterSets, int[] learners, Map<Integer, String> endpoints) {
        final int[][] copy = new int[voterSets.length][];
        for (int i = 0; i < voterSets.length; i++) {
            copy[i] = voterSets[i].clone();
        }
        return new Membership(copy, learners.clone(), endpoints);
    }

    /**
     * Returns {@code endpoint} if it is well formed: {@code host:port} with a non-empty host, a port in
     * 1..65535, printable ASCII without spaces, at most {@link #MAX_ENDPOINT_LENGTH} characters.
     *
     * @param where what the endpoint is, for the message
     * @throws IllegalArgumentException naming {@code where} and the bad value
     */
    public static String requireEndpoint(String endpoint, String where) {
        if (endpoint == null || endpoint.isEmpty() || endpoint.length() > MAX_ENDPOINT_LENGTH) {
            throw new IllegalArgumentException(where + ": endpoint must be host:port of 1.." + MAX_ENDPOINT_LENGTH
                + " characters, got " + (endpoint == null ? "null" : "'" + endpoint + "'"));
        }
        for (int i = 0; i < endpoint.length(); i++) {
            final char c = endpoint.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(where + ": endpoint '" + endpoint + "' has a character that is not"
                    + " printable ASCII at " + i);
            }
        }
        final int colon = endpoint.lastIndexOf(':');
        int port = -1;
        if (colon > 0 && colon < endpoint.length() - 1 && endpoint.length() - colon <= 6) {
            try {
                port = Integer.parseInt(endpoint.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(where + ": endpoint '" + endpoint + "' is not host:port with a port in"
                + " 1..65535");
        }
        return endpoint;
    }

    /** The endpoint ({@code "host:port"}) of member {@code id}, or null if unknown or not a member. */
    public String endpoint(int id) {
        final int slot = Arrays.binarySearch(allNodes, id);
        return slot < 0 ? null : endpoints[slot];
    }

    /** The known endpoints by node id, ascending (a copy). */
    public Map<Integer, String> endpoints() {
        final Map<Integer, String> map = new TreeMap<>();
        for (int i = 0; i < allNodes.length; i++) {
            if (endpoints[i] != null) {
                map.put(allNodes[i], endpoints[i]);
            }
        }
        return map;
    }

    /**
     * This configuration with member {@code id}'s endpoint set to {@code endpoint} (null: unknown).
     *
     * @throws IllegalArgumentException if {@code id} is not a member or the endpoint is malformed
     */
    public Membership withEndpoint(int id, String endpoint) {
        final Map<Integer, String> map = endpoints();
        if (!contains(id)) {
            throw new IllegalArgumentException("Membership: endpoint " + endpoint + " given for node " + id
                + ", which is not a member of " + this);
        }
        map.put(id, endpoint);
        return new Membership(voterSets, learners, map);
    }

    /**
     * This configuration where every member without an endpoint takes the one {@code previous} knows for it:
     * a configuration change keeps the endpoints of the members that stay.
     */
    public Membership withEndpointsFrom(Membership previous) {
        final Map<Integer, String> map = endpoints();
        for (int id : allNodes) {
            if (!map.containsKey(id) && previous.endpoint(id) != null) {
                map.put(id, previous.endpoint(id));
            }
        }
        return new Membership(voterSets, learners, map);
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

    /**
     * This configuration with the given learners instead of the current ones; the endpoints of the members
     * that stay are kept.
     */
    public Membership withLearners(int... newLearners) {
        return new Membership(voterSets, newLearners.clone()).withEndpointsFrom(this);
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
     * snapshot metadata, little-endian: version (int, 2), set count, each set (count, ids), learner count,
     * learner ids, then (version 2) the endpoint count and each endpoint as id (int), length (int) and its
     * ASCII bytes. {@link #decode} also reads version 1, which ends after the learners.
     */
    public byte[] encode() {
        int bytes = (2 + 1 + learners.length) * Integer.BYTES;
        for (int[] set : voterSets) {
            bytes += (1 + set.length) * Integer.BYTES;
        }
        bytes += Integer.BYTES;
        for (String endpoint : endpoints) {
            if (endpoint != null) {
                bytes += 2 * Integer.BYTES + endpoint.length();
            }
        }
        final ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
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
        int known = 0;
        for (String endpoint : endpoints) {
            known += endpoint == null ? 0 : 1;
        }
        out.putInt(known);
        for (int i = 0; i < allNodes.length; i++) {
            if (endpoints[i] != null) {
                final byte[] ascii = endpoints[i].getBytes(StandardCharsets.US_ASCII);
                out.putInt(allNodes[i]).putInt(ascii.length).put(ascii);
            }
        }
        return out.array();
    }

    /**
     * Decodes {@link #encode()}'s form (version 2) or version 1 (no endpoints).
     *
     * @throws IllegalArgumentException naming the byte offset if the bytes are not a valid membership
     */
    public static Membership decode(byte[] bytes) {
        final ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        try {
            final int version = in.getInt();
            if (version != FORMAT_VERSION && version != FORMAT_VERSION_1) {
                throw new IllegalArgumentException("Membership.decode: unknown format version " + version + " at byte 0");
            }
            final int sets = readCount(in, "voter set count");
            final int[][] voterSets = new int[sets][];
            for (int s = 0; s < sets; s++) {
                voterSets[s] = readIds(in, "voter set " + s);
            }
            final int[] learners = readIds(in, "learners");
            Map<Integer, String> endpoints = null;
            if (version == FORMAT_VERSION) {
                endpoints = readEndpoints(in);
            }
            if (in.hasRemaining()) {
                throw new IllegalArgumentException("Membership.decode: " + in.remaining() + " trailing bytes at byte " + in.position());
            }
            return new Membership(voterSets, learners, endpoints);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("Membership.decode: truncated input of " + bytes.length + " bytes", e);
        }
    }

    private static Map<Integer, String> readEndpoints(ByteBuffer in) {
        final int count = readCount(in, "endpoint count");
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            final int position = in.position();
            final int id = in.getInt();
            final int length = in.getInt();
            if (length < 1 || length > MAX_ENDPOINT_LENGTH || length > in.remaining()) {
                throw new IllegalArgumentException("Membership.decode: endpoint length " + length + " out of bounds at byte "
                    + (position + Integer.BYTES));
            }
            final byte[] ascii = new byte[length];
            in.get(ascii);
            if (endpoints.put(id, new String(ascii, StandardCharsets.US_ASCII)) != null) {
                throw new IllegalArgumentException("Membership.decode: node " + id + " has two endpoints, at byte " + position);
            }
        }
        return endpoints;
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
        return o == this || o instanceof Membership other && Arrays.deepEquals(voterSets, other.voterSets)
            && Arrays.equals(learners, other.learners) && Arrays.equals(endpoints, other.endpoints);
    }

    /** Whether {@code other} has the same voter sets and learners (endpoints aside). */
    public boolean sameMembers(Membership other) {
        return Arrays.deepEquals(voterSets, other.voterSets) && Arrays.equals(learners, other.learners);
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
        sb.append(", learners=").append(Arrays.toString(learners));
        final Map<Integer, String> known = endpoints();
        if (!known.isEmpty()) {
            sb.append(", endpoints=").append(known);
        }
        return sb.append('}').toString();
    }
}
