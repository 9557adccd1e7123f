package dev.raft.core.internal.engine.membership;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.core.internal.engine.RaftState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The configurations of a node's log and which one is in force (Raft paper §6: a server uses the latest
 * configuration in its log, committed or not). A configuration takes effect when appended, on the leader and on
 * followers alike; a truncation that removes it reverts to the previous one; a snapshot replaces the ones it
 * covers. Keeps the configurations from the last one at or below the applied index on (what a snapshot of the
 * applied state records, and what a truncation may fall back to). Changes go to
 * {@link RaftState#setMembership}.
 *
 * <p>The nodes to talk to ({@link #routes()}, emitted as {@code MEMBERSHIP_CHANGED} for the transport) are the
 * members of the configuration in force and of every configuration since the last committed one: a node removed by
 * an appended configuration still counts until that configuration is committed — a leader removing itself must
 * still reach its followers to commit its removal, and they must still hear it.
 */
public final class ConfigHistory {
    private final RaftState state;
    /** Ascending by index; never empty: the first is the base (initial, from a snapshot, or an old entry). */
    private final List<Long> indexes = new ArrayList<>();
    private final List<Membership> configs = new ArrayList<>();
    /** The routes last emitted. */
    private Membership routes;

    /** The history of {@code state}, starting from its initial membership at index 0. */
    public ConfigHistory(RaftState state) {
        this.state = state;
        indexes.add(state.membershipIndex);
        configs.add(state.membership);
        routes = state.membership;
    }

    /**
     * The members of the configuration in force and of every configuration after the last committed one, with
     * their endpoints: the configuration in force itself when they are the same nodes.
     */
    public Membership routes() {
        final Membership inForce = configs.get(configs.size() - 1);
        int from = 0;
        for (int i = indexes.size() - 1; i > 0; i--) {
            if (indexes.get(i) <= state.commitIndex) {
                from = i;
                break;
            }
        }
        if (from == configs.size() - 1) {
            return inForce; // no configuration after the last committed one: the common case, on every commit
        }
        final TreeSet<Integer> voters = new TreeSet<>();
        final TreeSet<Integer> learners = new TreeSet<>();
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int i = from; i < configs.size(); i++) {
            final Membership m = configs.get(i);
            for (int id : m.allNodes()) {
                (m.isVoter(id) ? voters : learners).add(id);
            }
            endpoints.putAll(m.endpoints());
        }
        learners.removeAll(voters);
        if (voters.size() + learners.size() == inForce.size()) {
            return inForce;
        }
        return Membership.of(new int[][] {voters.stream().mapToInt(Integer::intValue).toArray()},
            learners.stream().mapToInt(Integer::intValue).toArray(), endpoints);
    }

    /** The commit index advanced: the routes may shrink (a removal is committed). */
    public void committed() {
        emitRoutes();
    }

    private void emitRoutes() {
        final Membership next = routes();
        if (!next.equals(routes)) {
            routes = next;
            state.out.membershipChanged(next, state.membershipIndex);
        }
    }

    /** The configuration entry {@code index} was appended: it is in force from now on. */
    public void appended(long index, Membership membership) {
        final Membership previous = configs.get(configs.size() - 1);
        while (indexes.size() > 1 && indexes.get(indexes.size() - 1) >= index) {
            removeLast(); // a rewrite of the same indexes (only after a truncation that should have reverted them)
        }
        indexes.add(index);
        configs.add(membership.withEndpointsFrom(previous));
        trimBelow(state.appliedIndex);
        publish();
    }

    /**
     * Scans entries {@code [from, to)} of {@code entries} for configurations and records them as appended.
     *
     * @throws IllegalArgumentException naming the entry if a configuration entry does not decode (nothing is
     *                                  recorded then)
     */
    public void appendedFrom(EntryBatch entries, int from, int to) {
        List<Membership> decoded = null;
        for (int i = from; i < to; i++) {
            if (entries.type(i) == EntryType.MEMBERSHIP) {
                if (decoded == null) {
                    decoded = new ArrayList<>();
                }
                decoded.add(decode(entries, i));
            }
        }
        if (decoded == null) {
            return;
        }
        int next = 0;
        for (int i = from; i < to; i++) {
            if (entries.type(i) == EntryType.MEMBERSHIP) {
                appended(entries.index(i), decoded.get(next++));
            }
        }
    }

    /**
     * Whether entries {@code [from, to)} of {@code entries} hold only configurations that decode (checked
     * before a follower changes its log for them).
     */
    public static boolean decodable(EntryBatch entries, int from, int to) {
        for (int i = from; i < to; i++) {
            if (entries.type(i) == EntryType.MEMBERSHIP) {
                try {
                    decode(entries, i);
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }
        }
        return true;
    }

    private static Membership decode(EntryBatch entries, int i) {
        final byte[] bytes = new byte[entries.payloadLength(i)];
        entries.buffer().getBytes(entries.payloadOffset(i), bytes);
        return Membership.decode(bytes);
    }

    /** The log lost index {@code index} and every later one: configurations among them no longer count. */
    public void truncatedFrom(long index) {
        boolean changed = false;
        while (indexes.size() > 1 && indexes.get(indexes.size() - 1) >= index) {
            removeLast();
            changed = true;
        }
        if (changed) {
            publish();
        }
    }

    /**
     * A snapshot {@code meta} now holds the state up to its last entry: its membership replaces every
     * configuration it covers; later configurations still in the log stay in force.
     */
    public void snapshotInstalled(SnapshotMeta meta) {
        final long index = meta.lastLogId().index();
        int covered = -1;
        for (int i = 0; i < indexes.size() && indexes.get(i) <= index; i++) {
            covered = i;
        }
        if (covered >= 0 && configs.get(covered).sameMembers(meta.membership())) {
            // the entry that set the snapshot's membership is known: keep its index (a stable CAS value)
            final long keptIndex = indexes.get(covered);
            dropUpTo(covered);
            indexes.set(0, keptIndex);
            configs.set(0, meta.membership().withEndpointsFrom(configs.get(0)));
        } else {
            dropUpTo(covered);
            if (indexes.isEmpty() || indexes.get(0) > index) {
                indexes.add(0, index);
                configs.add(0, meta.membership());
            } else {
                indexes.set(0, index);
                configs.set(0, meta.membership());
            }
        }
        publish();
    }

    /** Forgets configurations {@code [0, upTo)}, keeping the one at {@code upTo} as the base. */
    private void dropUpTo(int upTo) {
        for (int i = 0; i < upTo; i++) {
            indexes.remove(0);
            configs.remove(0);
        }
    }

    /** The configuration in force at log index {@code index} (at or above the base's index). */
    public Membership at(long index) {
        for (int i = indexes.size() - 1; i > 0; i--) {
            if (indexes.get(i) <= index) {
                return configs.get(i);
            }
        }
        return configs.get(0);
    }

    /** The index of the configuration in force at {@code index}. */
    public long indexAt(long index) {
        for (int i = indexes.size() - 1; i > 0; i--) {
            if (indexes.get(i) <= index) {
                return indexes.get(i);
            }
        }
        return indexes.get(0);
    }

    private void trimBelow(long appliedIndex) {
        while (indexes.size() > 1 && indexes.get(1) <= appliedIndex) {
            indexes.remove(0);
            configs.remove(0);
        }
    }

    private void removeLast() {
        indexes.remove(indexes.size() - 1);
        configs.remove(configs.size() - 1);
    }

    private void publish() {
        state.setMembership(configs.get(configs.size() - 1), indexes.get(indexes.size() - 1));
        emitRoutes();
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("ConfigHistory{");
        for (int i = 0; i < indexes.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(indexes.get(i)).append('=').append(configs.get(i));
        }
        return sb.append('}').toString();
    }
}
