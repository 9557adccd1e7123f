package dev.raft.examples.soak;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.metrics.CncCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 11 item 8, measured: an idle 3-node {@code raftkv server} cluster beside busy-spinning processes (by default
 * two {@code sh -c 'while :; do :; done'} loops, pinned nowhere) for {@code -Didle.minutes=N} minutes must not hold
 * a single election. Prints (and writes to {@code target/soak/idle-<N>m/report.txt}) every term and leader change
 * seen by polling the nodes' status every 250 ms, and each node's engine counters (elections and pre-votes started,
 * leaderships won) from its media driver's CnC file. A thread of the test's own JVM parks 1 ms at a time and reports how
 * late it woke ({@link StallProbe}): stalls of the operating system's scheduler, which no node setting can prevent,
 * show there at the same instants as the elections they cause.
 *
 * <pre>
 * ./mvnw -o -B test -pl raft-examples -am -Dtest=IdleElectionsTest -Didle.minutes=10 -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Options: {@code -Didle.spinners=2}, {@code -Didle.serverArgs="--election-timeout-ms 1000-2000"},
 * {@code -Didle.gcLog=true} (each server logs GC and safepoints to {@code jvm-<id>-1.log} next to its log).
 */
@EnabledIfSystemProperty(named = "idle.minutes", matches = "\\d+")
class IdleElectionsTest {
    private static final String[] COUNTED = {"elections started", "pre-votes started", "leaderships won"};
    private static final long POLL_MILLIS = 250;

    @Test
    @Timeout(value = 3, unit = TimeUnit.HOURS)
    void anIdleClusterBesideBusySpinnersHoldsNoElection() throws Exception {
        final int minutes = Integer.getInteger("idle.minutes");
        final int spinners = Integer.getInteger("idle.spinners", 2);
        final String args = System.getProperty("idle.serverArgs", "").trim();
        final Path reportDir = Path.of("target/soak", "idle-" + minutes + "m");
        final List<String> lines = new ArrayList<>();
        final StallProbe probe = new StallProbe();
        try (SoakCluster cluster = new SoakCluster(3, args.isEmpty() ? List.of() : Arrays.asList(args.split("\\s+")))) {
            if (Boolean.getBoolean("idle.gcLog")) {
                cluster.jvmOptions(List.of("-Xlog:gc*,safepoint:file={log}:uptime,level,tags"));
            }
            try {
                ClusterWaits.startAll(cluster);
                for (int i = 0; i < spinners; i++) {
                    final Process spinner = new ProcessBuilder("sh", "-c", "while :; do :; done").start();
                    cluster.closeFirst(spinner::destroyForcibly);
                }
                final Map<Integer, Map<String, Long>> before = counters(cluster);
                final Map<Integer, SoakClient.NodeStatus> start = cluster.statuses();
                final long startTerm = start.values().stream().mapToLong(SoakClient.NodeStatus::term).max().orElse(0);
                lines.add("idle run: 3 raftkv server JVMs, " + spinners + " busy-spinning processes, " + minutes
                    + " min, server args " + (args.isEmpty() ? "(defaults)" : args) + ", "
                    + Runtime.getRuntime().availableProcessors() + " CPUs, started " + Instant.now() + ", " + loadAverage());
                lines.add("at start: " + describe(start));

                final long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
                probe.start();
                Map<Integer, SoakClient.NodeStatus> last = start;
                int unanswered = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(POLL_MILLIS);
                    final Map<Integer, SoakClient.NodeStatus> now = cluster.statuses();
                    unanswered += cluster.ids().size() - now.size();
                    for (SoakClient.NodeStatus s : now.values()) {
                        final SoakClient.NodeStatus was = last.get(s.nodeId());
                        if (was == null || was.term() != s.term() || was.leaderId() != s.leaderId()
                            || was.role() != s.role()) {
                            lines.add(Instant.now() + " node " + s.nodeId() + ": " + SoakCluster.format(s));
                        }
                    }
                    final Map<Integer, SoakClient.NodeStatus> merged = new TreeMap<>(last);
                    merged.putAll(now);
                    last = merged;
                }
                probe.stop();
                final Map<Integer, Map<String, Long>> after = counters(cluster);
                final long endTerm = last.values().stream().mapToLong(SoakClient.NodeStatus::term).max().orElse(0);
                long elections = 0;
                for (int id : cluster.ids()) {
                    final Map<String, Long> delta = new TreeMap<>();
                    for (String c : COUNTED) {
                        delta.put(c, after.get(id).get(c) - before.get(id).get(c));
                    }
                    elections += delta.get("elections started"); // pre-votes included
                    lines.add("node " + id + " during the run: " + delta);
                }
                lines.add("at end (" + loadAverage() + "): " + describe(last));
                lines.add("term changes: " + (endTerm - startTerm) + " (term " + startTerm + " -> " + endTerm
                    + "); elections started (pre-votes included): " + elections + "; status polls unanswered: " + unanswered);
                lines.add("scheduler stalls seen by a thread of this JVM parking 1 ms at a time: " + probe.summary());
                lines.forEach(System.out::println);
                assertTrue(endTerm == startTerm && elections == 0, String.join("\n", lines));
            } finally {
                probe.stop();
                Files.createDirectories(reportDir);
                Files.write(reportDir.resolve("report.txt"), lines, StandardCharsets.UTF_8);
                cluster.copyLogsTo(reportDir);
            }
        }
    }

    /** The machine's load averages (other processes included), from /proc/loadavg where it exists. */
    private static String loadAverage() throws IOException {
        final Path file = Path.of("/proc/loadavg");
        return "load average " + (Files.isReadable(file) ? Files.readString(file).trim() : "unknown");
    }

    private static String describe(Map<Integer, SoakClient.NodeStatus> statuses) {
        final StringBuilder s = new StringBuilder();
        statuses.values().forEach(n -> s.append("\n  node ").append(n.nodeId()).append(": ").append(SoakCluster.format(n)));
        return s.toString();
    }

    /** Each node's {@link #COUNTED} engine counters, from its media driver's CnC file. */
    private static Map<Integer, Map<String, Long>> counters(SoakCluster cluster) throws IOException {
        final Map<Integer, Map<String, Long>> all = new TreeMap<>();
        for (int id : cluster.ids()) {
            final String aeronDir = cluster.aeronDir(id).toString();
            final Map<String, Long> values = new TreeMap<>();
            try (CncCounters cnc = CncCounters.open(aeronDir)) {
                for (CncCounters.Counter counter : cnc.read()) {
                    for (String c : COUNTED) {
                        if (counter.label().endsWith(": " + c)) {
                            values.put(c, counter.value());
                        }
                    }
                }
            }
            for (String c : COUNTED) {
                if (!values.containsKey(c)) {
                    throw new IOException("node " + id + "'s driver " + aeronDir + " has no '" + c + "' counter");
                }
            }
            all.put(id, values);
        }
        return all;
    }
}
