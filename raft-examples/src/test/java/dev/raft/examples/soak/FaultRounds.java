package dev.raft.examples.soak;

import dev.raft.testkit.linearizability.KvInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Injects one fault per round into a running {@link SoakCluster}, heals it and waits until the cluster is
 * healthy again, recording in a {@link RoundResult} when the leader was hit, how fast a new one took over, and
 * every failure of the servers' contract (a zombie, a follower that never catches up, a cluster that stays sick).
 */
final class FaultRounds {
    /** Healing (restart included) must bring the cluster back within this. */
    static final Duration HEAL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);
    private static final int BALLAST_VALUE_BYTES = 128 * 1024;
    private static final Duration FAIL_STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(30);

    private final SoakCluster cluster;
    private final SoakConfig config;
    private final Random random;
    private final String diskFullSkipReason;

    FaultRounds(SoakCluster cluster, SoakConfig config, String diskFullSkipReason) {
        this.cluster = cluster;
        this.config = config;
        this.random = new Random(config.seed() ^ 0x5eedL);
        this.diskFullSkipReason = diskFullSkipReason;
    }

    /** Runs one round; the cluster is healthy again when it returns, unless the result says otherwise. */
    RoundResult run(int index, Fault fault) throws Exception {
        final RoundResult r = new RoundResult(index, fault);
        final Optional<SoakClient.NodeStatus> leader = ClusterWaits.leader(cluster, HEAL_TIMEOUT);
        if (leader.isEmpty()) {
            r.fail("no leader before the round:" + cluster.describe());
            return r;
        }
        switch (fault) {
            case KILL_LEADER -> kill(r, leader.get(), leader.get().nodeId());
            case KILL_RANDOM -> kill(r, leader.get(), pick(cluster.ids()));
            case ISOLATE_LEADER -> partition(r, leader.get(), List.of(leader.get().nodeId()));
            case ISOLATE_MINORITY -> partition(r, leader.get(), minority());
            case ONE_WAY_LOSS -> oneWay(r, leader.get());
            case DISK_FULL -> diskFull(r, leader.get());
            case WIPE_FOLLOWER -> wipe(r, leader.get());
            default -> throw new IllegalStateException("unknown fault " + fault);
        }
        if (r.failures.isEmpty()) {
            ClusterWaits.healthy(cluster, HEAL_TIMEOUT).ifPresent(problem -> r.fail("after healing: " + problem));
        }
        return r;
    }

    private void kill(RoundResult r, SoakClient.NodeStatus leader, int victim) throws Exception {
        final long t0 = System.nanoTime();
        cluster.kill(victim);
        r.note("killed node " + victim + (victim == leader.nodeId() ? " (the leader)" : " (a follower)"));
        if (victim == leader.nodeId()) {
            measureFailover(r, t0, leader.term(), victim);
        }
        holdUntil(t0);
        cluster.start(victim);
    }

    private void partition(RoundResult r, SoakClient.NodeStatus leader, List<Integer> cut) throws Exception {
        final List<Integer> rest = cluster.ids().stream().filter(id -> !cut.contains(id)).toList();
        final String cutIds = join(cut);
        final String restIds = join(rest);
        // cut the leader's side first, so that the fault has struck when t0 is read
        final List<Integer> order = new ArrayList<>(cut);
        order.sort(Comparator.comparing(id -> id != leader.nodeId()));
        for (int id : order) {
            control(r, id, "drop " + restIds);
        }
        final long t0 = System.nanoTime();
        for (int id : rest) {
            control(r, id, "drop " + cutIds);
        }
        final boolean leaderCut = cut.contains(leader.nodeId());
        r.note("cut " + cut + " from " + rest + (leaderCut ? " (the leader " + leader.nodeId() + " cut)" : ""));
        if (leaderCut) {
            measureFailover(r, t0, leader.term(), leader.nodeId());
        }
        holdUntil(t0);
        healAll();
    }

    private void oneWay(RoundResult r, SoakClient.NodeStatus leader) throws Exception {
        final int l = leader.nodeId();
        final List<Integer> others = cluster.ids().stream().filter(id -> id != l).toList();
        final long t0;
        if (random.nextBoolean()) {
            control(r, l, "drop-in " + join(others));
            t0 = System.nanoTime();
            r.note("the leader " + l + " hears nobody; its own messages still arrive");
            measureFailover(r, t0, leader.term(), l);
        } else {
            final int follower = pick(others);
            control(r, follower, "drop-out " + l);
            t0 = System.nanoTime();
            r.note("follower " + follower + "'s messages to the leader " + l + " are lost; it still hears the leader");
        }
        holdUntil(t0);
        healAll();
    }

    private void diskFull(RoundResult r, SoakClient.NodeStatus leader) throws Exception {
        final TmpfsMount disk = cluster.tmpfs();
        if (disk == null) {
            r.note("SKIPPED: " + diskFullSkipReason);
            return;
        }
        final int victim = cluster.tmpfsNode();
        Optional<SoakClient.NodeStatus> current = Optional.of(leader);
        for (int attempt = 0; attempt < 3 && current.isPresent() && current.get().nodeId() == victim; attempt++) {
            demote(r, current.get());
            current = ClusterWaits.leader(cluster, HEAL_TIMEOUT);
        }
        disk.fill();
        r.note("node " + victim + "'s disk is full (" + disk.usableBytes() + " bytes usable)");
        final long ballastBytes = 2L * SoakCluster.SEGMENT_BYTES + 1024 * 1024;
        final int writes = (int) (ballastBytes / BALLAST_VALUE_BYTES);
        final String value = "b".repeat(BALLAST_VALUE_BYTES);
        int ok = 0;
        for (int i = 0; i < writes; i++) {
            if (cluster.execute(KvInput.put("ballast-" + r.index, value), config.opTimeout()).outcome()
                == SoakClient.Outcome.OK) {
                ok++;
            }
        }
        final long committed = ClusterWaits.leader(cluster, HEAL_TIMEOUT).map(SoakClient.NodeStatus::committedIndex)
            .orElse(Long.MAX_VALUE);
        r.note(ok + " of " + writes + " ballast writes of " + BALLAST_VALUE_BYTES / 1024 + " KiB acknowledged");
        final long deadline = System.nanoTime() + FAIL_STOP_TIMEOUT.toNanos();
        while (cluster.isAlive(victim) && System.nanoTime() < deadline) {
            final Optional<SoakClient.NodeStatus> s = cluster.status(victim);
            if (s.isPresent() && s.get().appliedIndex() >= committed) {
                break;
            }
            Thread.sleep(100);
        }
        if (!cluster.isAlive(victim)) {
            final int code = cluster.exitCode(victim).orElse(0);
            final String line = cluster.lastLine(victim);
            r.note("node " + victim + " stopped, exit " + code + ": " + line);
            if (code == 0 || !line.toLowerCase(java.util.Locale.ROOT).contains("space")) {
                r.fail("node " + victim + " exited " + code + " without one line naming the full disk; last line: " + line);
            }
        } else {
            final Optional<SoakClient.NodeStatus> s = cluster.status(victim);
            if (s.isPresent() && s.get().appliedIndex() >= committed) {
                r.note("INCONCLUSIVE: node " + victim + " kept up with a full disk (the ballast did not need new space)");
            } else {
                r.fail("ZOMBIE: node " + victim + " still runs " + FAIL_STOP_TIMEOUT.toSeconds()
                    + " s after its disk filled but does not keep up (" + s.map(SoakCluster::format).orElse("no answer")
                    + ", leader committed " + committed + "); killed");
                cluster.kill(victim);
            }
        }
        disk.free();
        if (!cluster.isAlive(victim)) {
            cluster.start(victim);
            r.note("space freed, node " + victim + " restarted");
        }
    }

    private void wipe(RoundResult r, SoakClient.NodeStatus leader) throws Exception {
        final int l = leader.nodeId();
        final int victim = pick(cluster.ids().stream().filter(id -> id != l).toList());
        final Map<Integer, SoakClient.NodeStatus> before = cluster.statuses();
        final long term = before.values().stream().mapToLong(SoakClient.NodeStatus::term).max().orElse(leader.term());
        final long committedBefore = before.values().stream().mapToLong(SoakClient.NodeStatus::committedIndex).max()
            .orElse(leader.committedIndex());
        cluster.kill(victim);
        deleteContents(cluster.dataDir(victim));
        r.note("node " + victim + " stopped and wiped at term " + term);
        // its vote is gone: bring it back only once a term it cannot have voted in has started
        // (not counted as a failover: with a node down and the leader restarted, the outage includes a JVM start)
        cluster.kill(l);
        cluster.start(l);
        if (ClusterWaits.newLeader(cluster, term, 0, HEAL_TIMEOUT) < 0) {
            r.fail("no new term after the wipe; node " + victim + " left down");
            cluster.start(victim);
            return;
        }
        // at least what was committed before the wipe (a leader of a new term may not know its commit index yet)
        final long target = Math.max(committedBefore, ClusterWaits.leader(cluster, HEAL_TIMEOUT)
            .map(SoakClient.NodeStatus::committedIndex).orElse(Long.MAX_VALUE));
        final long restarted = System.nanoTime();
        cluster.start(victim);
        final long deadline = restarted + CATCH_UP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            final Optional<SoakClient.NodeStatus> s = cluster.status(victim);
            if (s.isPresent() && s.get().appliedIndex() >= target) {
                r.note("restarted empty after the leader " + l + " was restarted; caught up to " + target + " in "
                    + (System.nanoTime() - restarted) / 1_000_000 + " ms");
                return;
            }
            Thread.sleep(50);
        }
        r.fail("wiped node " + victim + " did not catch up to index " + target + " within "
            + CATCH_UP_TIMEOUT.toSeconds() + " s: " + cluster.status(victim).map(SoakCluster::format).orElse("no answer"));
    }

    /** Moves leadership off {@code leader}: cut it off until another node leads, then heal. */
    private void demote(RoundResult r, SoakClient.NodeStatus leader) throws Exception {
        final List<Integer> others = cluster.ids().stream().filter(id -> id != leader.nodeId()).toList();
        control(r, leader.nodeId(), "isolate");
        for (int id : others) {
            control(r, id, "drop " + leader.nodeId());
        }
        final long seen = ClusterWaits.newLeader(cluster, leader.term(), leader.nodeId(), FAILOVER_TIMEOUT);
        healAll();
        r.note("moved leadership off node " + leader.nodeId() + (seen < 0 ? " FAILED" : ""));
        ClusterWaits.healthy(cluster, HEAL_TIMEOUT).ifPresent(problem -> r.fail("after moving leadership: " + problem));
    }

    private void measureFailover(RoundResult r, long t0, long term, int oldLeader) throws InterruptedException {
        r.leaderLostAtNanos = t0;
        final long seen = ClusterWaits.newLeader(cluster, term, oldLeader, FAILOVER_TIMEOUT);
        r.failoverNanos = seen < 0 ? -1 : seen - t0;
        if (seen < 0) {
            r.fail("no new leader within " + FAILOVER_TIMEOUT.toSeconds() + " s:" + cluster.describe());
        }
    }

    private void holdUntil(long t0) throws InterruptedException {
        final long left = t0 + config.hold().toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    void healAll() throws IOException {
        for (int id : cluster.ids()) {
            cluster.control(id, "heal");
        }
    }

    /** Sends a fault request; a running node that does not answer fails the round (the fault is not known to hold). */
    private void control(RoundResult r, int id, String request) throws IOException {
        if (cluster.control(id, request).isEmpty() && cluster.isAlive(id)) {
            r.fail("node " + id + " did not answer the fault request '" + request + "'");
        }
    }

    private List<Integer> minority() {
        final List<Integer> ids = new ArrayList<>(cluster.ids());
        Collections.shuffle(ids, random);
        return List.copyOf(ids.subList(0, (ids.size() - 1) / 2));
    }

    private int pick(List<Integer> ids) {
        return ids.get(random.nextInt(ids.size()));
    }

    private static String join(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** Deletes everything in {@code dir} but the directory (it may be a mount point). */
    static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        }
    }
}
