package dev.raft.examples.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What one soak run does: cluster size, client threads, rounds of each fault (in a seeded random order), how
 * long each fault is held, and the election timeout the outage target is measured against.
 *
 * @param label                 names the run in the report and in {@code target/soak/<label>}
 * @param nodes                 cluster size (3 or 5)
 * @param clientThreads         concurrent client threads (at least 4)
 * @param rounds                rounds of each fault
 * @param seed                  orders the rounds, picks victims and drives the clients' choices
 * @param hold                  how long a fault stays before it is healed (or the node restarted)
 * @param opTimeout             a client operation taking longer is UNKNOWN
 * @param maxElectionTimeoutMs  the servers' maximum election timeout; the outage target is twice it
 * @param serverArgs            extra {@code raftkv server} arguments (e.g. election timeout flags)
 */
record SoakConfig(String label, int nodes, int clientThreads, Map<Fault, Integer> rounds, long seed, Duration hold,
                  Duration opTimeout, long maxElectionTimeoutMs, List<String> serverArgs) {

    /** The bounded soak CI runs: two rounds of each fault on 3 nodes, one on 5. */
    static SoakConfig bounded(int nodes) {
        final Map<Fault, Integer> rounds = new EnumMap<>(Fault.class);
        for (Fault f : Fault.values()) {
            rounds.put(f, nodes == 3 ? 2 : 1);
        }
        return fromProperties("bounded-" + nodes, nodes, 4, rounds, Duration.ofMillis(1500));
    }

    /** The long soak: 55 kill rounds (30 of the leader), 10 of each partition mode, 10 disk-full, 10 wipes. */
    static SoakConfig longRun(int nodes) {
        final Map<Fault, Integer> rounds = new EnumMap<>(Fault.class);
        rounds.put(Fault.KILL_LEADER, 30);
        rounds.put(Fault.KILL_RANDOM, 25);
        rounds.put(Fault.ISOLATE_LEADER, 10);
        rounds.put(Fault.ISOLATE_MINORITY, 10);
        rounds.put(Fault.ONE_WAY_LOSS, 10);
        rounds.put(Fault.DISK_FULL, 10);
        rounds.put(Fault.WIPE_FOLLOWER, 10);
        return fromProperties("long-" + nodes, nodes, 6, rounds, Duration.ofMillis(3000));
    }

    /** For the single-fault regression tests: 3 nodes, no client threads, a fixed seed. */
    static SoakConfig regression(String label) {
        return new SoakConfig(label, 3, 0, Map.of(), 1, Duration.ofMillis(1500), Duration.ofSeconds(5), 300, List.of());
    }

    private static SoakConfig fromProperties(String label, int nodes, int threads, Map<Fault, Integer> rounds,
                                             Duration hold) {
        final long seed = Long.getLong("soak.seed", new Random().nextLong());
        final String args = System.getProperty("soak.serverArgs", "").trim();
        return new SoakConfig(label, nodes, Integer.getInteger("soak.clients", threads), rounds, seed, hold,
            Duration.ofMillis(Long.getLong("soak.opTimeoutMs", 5000)), Long.getLong("soak.maxElectionTimeoutMs", 300),
            args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+")));
    }

    /** Every round, shuffled by the seed. */
    List<Fault> schedule() {
        final List<Fault> all = new ArrayList<>();
        rounds.forEach((fault, n) -> all.addAll(Collections.nCopies(n, fault)));
        Collections.shuffle(all, new Random(seed));
        return all;
    }
}
