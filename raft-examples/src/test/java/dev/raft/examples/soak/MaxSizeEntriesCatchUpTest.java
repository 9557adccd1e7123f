package dev.raft.examples.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.config.RaftConfig;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.KvCommands;
import dev.raft.examples.metrics.CncCounters;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 11 item 5 on the real stack (three {@code raftkv server} JVMs, Aeron UDP, file storage): a follower cut off
 * (by the fault-injecting transport) while the leader writes entries of just under {@code maxBytesPerAppend} far past
 * its entry cache (64 MiB) must catch up once healed: the leader reads those entries back from its log store, and no
 * AppendEntries may exceed the transport's maximum message (every node's {@code send-drop oversize} counter stays 0).
 *
 * <p>With the byte-cap fix of the AppendEntries filler reverted (the store's read includes the entry that crosses the
 * limit), two such entries make one frame of just over 2 MiB, the publication's maximum with the default 16 MiB term:
 * the leader drops it as oversize on every retry and the follower never catches up (checked when this test was
 * written: 1,158 oversize drops in 60 s, the follower still at index 1). With the entry cache bounded at a fixed
 * 64 MiB, the leader (192 MiB heap, as every soak server) failed growing the cache: "Cannot reserve ... bytes of
 * direct buffer memory", and lingered as a zombie LEADER. Runs with {@code -Dsoak=regressions}, {@code bounded} (the
 * default build) or {@code long}.
 */
@EnabledIfSystemProperty(named = "soak", matches = "regressions|bounded|long")
class MaxSizeEntriesCatchUpTest {
    private static final int MAX_BYTES = RaftConfig.MAX_BYTES_PER_APPEND;
    /** More than the leader's entry cache holds (at most 64 MiB), so that the lagging follower is served from the store. */
    private static final int ENTRIES = 80;
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);
    private static final String OVERSIZE_COUNTER = "send-drop oversize";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aFollowerCutOffWhileTheLeaderWritesMaximumSizeEntriesCatchesUpWithoutOversizeFrames() throws Exception {
        final SoakConfig config = SoakConfig.regression("regression-max-size-entries");
        // no snapshots: the follower must catch up through AppendEntries; no fsync: 80 MiB on a shared machine
        final List<String> args = List.of("--set", "raft.maxBytesPerAppend=" + MAX_BYTES, "--snapshot-every", "0",
            "--no-fsync");
        try (SoakCluster cluster = new SoakCluster(3, args)) {
            try {
                ClusterWaits.startAll(cluster);
                final SoakClient.NodeStatus leader = ClusterWaits.leader(cluster, FaultRounds.HEAL_TIMEOUT).orElseThrow();
                final int lagging = leader.nodeId() % 3 + 1;
                final List<Integer> others = cluster.ids().stream().filter(id -> id != lagging).toList();
                cluster.control(lagging, "isolate").orElseThrow();
                for (int id : others) {
                    cluster.control(id, "drop " + lagging).orElseThrow();
                }
                final long laggingEnd = cluster.status(lagging).orElseThrow().lastLogIndex();

                for (int i = 0; i < ENTRIES; i++) {
                    // entries of MAX_BYTES .. MAX_BYTES - 15 bytes (command + session header): two are just under 2 * MAX_BYTES
                    final String key = "max-" + i;
                    // the session header takes its bytes from the same budget: the longest command is MAX_COMMAND_BYTES
                    putUntilOk(cluster, key, value(key, ClientProtocol.MAX_COMMAND_BYTES - i % 16));
                }
                final SoakClient.NodeStatus before = ClusterWaits.leader(cluster, FaultRounds.HEAL_TIMEOUT).orElseThrow();
                final long behind = before.lastLogIndex() - cluster.status(lagging).orElseThrow().lastLogIndex();
                assertTrue(behind >= ENTRIES, "node " + lagging + " was cut off, yet only " + behind
                    + " entries behind the leader:" + cluster.describe());
                assertEquals(Map.of(), oversizeDrops(cluster), "no oversize frame before the follower is healed");

                for (int id : cluster.ids()) {
                    cluster.control(id, "heal").orElseThrow();
                }
                final long target = before.lastLogIndex();
                final long healed = System.nanoTime();
                Optional<SoakClient.NodeStatus> s = Optional.empty();
                while (System.nanoTime() - healed < CATCH_UP_TIMEOUT.toNanos()) {
                    s = cluster.status(lagging);
                    if (s.isPresent() && s.get().lastLogIndex() >= target && s.get().appliedIndex() >= target) {
                        break;
                    }
                    Thread.sleep(50);
                }
                final Map<Integer, Long> oversize = oversizeDrops(cluster);
                assertTrue(s.isPresent() && s.get().lastLogIndex() >= target && s.get().appliedIndex() >= target,
                    "node " + lagging + " (last log " + laggingEnd + " when cut off) did not catch up to the leader's "
                        + "last log " + target + " within " + CATCH_UP_TIMEOUT.toSeconds() + " s of healing; oversize "
                        + "drops per node " + oversize + ":" + cluster.describe());
                System.out.println("node " + lagging + " caught up " + behind + " entries of ~1 MiB in "
                    + (System.nanoTime() - healed) / 1_000_000 + " ms");
                assertEquals(Map.of(), oversize, "AppendEntries dropped as oversize, per node");

                final String key = "max-" + (ENTRIES - 1);
                final SoakClient.Result last = cluster.execute(KvInput.get(key), OP_TIMEOUT);
                assertEquals(KvOutput.read(value(key, ClientProtocol.MAX_COMMAND_BYTES - (ENTRIES - 1) % 16)), last.output(),
                    "the last maximum-size write reads back");
            } finally {
                cluster.copyLogsTo(Path.of("target/soak", config.label()));
            }
        }
    }

    /**
     * Puts {@code key = value}, again after an answer other than OK (a leader change under load: the put is
     * idempotent), until OK or {@link #OP_TIMEOUT}.
     */
    private static void putUntilOk(SoakCluster cluster, String key, String value) throws InterruptedException {
        final long deadline = System.nanoTime() + OP_TIMEOUT.toNanos();
        SoakClient.Result r;
        do {
            r = cluster.execute(KvInput.put(key, value), OP_TIMEOUT);
        } while (r.outcome() != SoakClient.Outcome.OK && System.nanoTime() < deadline);
        assertEquals(SoakClient.Outcome.OK, r.outcome(), "put " + key + ": " + r.detail() + cluster.describe());
    }

    /** A value for {@code key} that makes its PUT command exactly {@code commandBytes} long. */
    private static String value(String key, int commandBytes) {
        final int overhead = KvCommands.put(key, new byte[0]).length;
        final String v = Character.toString('a' + key.length() % 26).repeat(commandBytes - overhead);
        assertEquals(commandBytes, KvCommands.put(key, v.getBytes(StandardCharsets.US_ASCII)).length);
        return v;
    }

    /** The non-zero {@code send-drop oversize} counters of the running nodes' transports, by node. */
    private static Map<Integer, Long> oversizeDrops(SoakCluster cluster) {
        final Map<Integer, Long> drops = new TreeMap<>();
        for (int id : cluster.ids()) {
            try (CncCounters counters = CncCounters.open(cluster.aeronDir(id).toString())) {
                final List<CncCounters.Counter> found = counters.read().stream()
                    .filter(c -> c.label().endsWith(OVERSIZE_COUNTER)).toList();
                assertEquals(1, found.size(), "node " + id + "'s transport has one '" + OVERSIZE_COUNTER + "' counter");
                if (found.get(0).value() != 0) {
                    drops.put(id, found.get(0).value());
                }
            }
        }
        return drops;
    }
}
