package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.bench.BenchOptions;
import dev.raft.examples.bench.BenchResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Short runs of {@code raftkv bench} in both modes: the JSON line's fields, and every message sent was answered. */
class BenchCommandTest {
    private static final List<String> FIELDS = List.of("system", "mode", "size", "fsync", "messages", "msgs_per_s", "p50_us",
        "p90_us", "p99_us", "p999_us", "max_us", "window", "rate", "warmup", "leader_changes", "error");
    private static final Pattern FIELD = Pattern.compile("\"([a-z0-9_]+)\":(\"[^\"]*\"|[^,}]+)");
    private static final Pattern COUNTS = Pattern.compile("sent ([0-9,]+) +answered ([0-9,]+) +duplicates ([0-9,]+)");

    private static String[] run(int expectedCode, String... args) {
        return CliArgumentsTest.run(expectedCode, args);
    }

    private static Map<String, String> lastLineJson(String out) {
        final String[] lines = out.strip().split("\n");
        final String last = lines[lines.length - 1];
        assertTrue(last.startsWith("{") && last.endsWith("}"), "the last line is not a JSON object: " + last);
        final Map<String, String> fields = new LinkedHashMap<>();
        final Matcher m = FIELD.matcher(last);
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        assertEquals(FIELDS, new ArrayList<>(fields.keySet()), last);
        return fields;
    }

    private static void assertEveryMessageAnswered(String out, long expected) {
        final Matcher m = COUNTS.matcher(out);
        assertTrue(m.find(), out);
        assertEquals(expected, Long.parseLong(m.group(1).replace(",", "")), out);
        assertEquals(expected, Long.parseLong(m.group(2).replace(",", "")), out);
    }

    private static void assertNumber(Map<String, String> json, String field) {
        assertTrue(Double.parseDouble(json.get(field)) > 0, field + " in " + json);
    }

    @Test
    @Timeout(120)
    void throughputOverAeronAnswersEveryMessage() {
        final String out = run(0, "bench", "--mode", "throughput", "--messages", "3000", "--warmup", "500", "--window", "100")[0];
        final Map<String, String> json = lastLineJson(out);
        assertEquals("\"raftkv\"", json.get("system"));
        assertEquals("\"throughput\"", json.get("mode"));
        assertEquals("64", json.get("size"));
        assertEquals("0", json.get("fsync"));
        assertEquals("3000", json.get("messages"));
        assertEquals("100", json.get("window"));
        assertEquals("null", json.get("rate"));
        assertEquals("500", json.get("warmup"));
        assertEquals("null", json.get("error"));
        for (String f : List.of("msgs_per_s", "p50_us", "p90_us", "p99_us", "p999_us", "max_us")) {
            assertNumber(json, f);
        }
        assertTrue(Long.parseLong(json.get("leader_changes")) >= 0, out);
        assertEveryMessageAnswered(out, 3500);
        assertTrue(out.contains("measured throughput"), out);
        assertTrue(out.contains("allocated in the measured phase: ") && out.contains(" B/msg ")
            && out.contains(" us CPU/msg  raft-node-"), out);
        // the drivers' counters are read: the leader's received at least each request's 64 B payload per message
        final Matcher traffic = Pattern.compile("node \\d:  Bytes sent [0-9.]+  Bytes received ([0-9.]+)  frames-out")
            .matcher(out);
        double mostReceived = 0;
        int nodes = 0;
        while (traffic.find()) {
            nodes++;
            mostReceived = Math.max(mostReceived, Double.parseDouble(traffic.group(1)));
        }
        assertEquals(3, nodes, out);
        assertTrue(mostReceived >= 64, out);
    }

    @Test
    @Timeout(120)
    void latencyOverAeronWithFsyncAnswersEveryMessage() {
        final String out = run(0, "bench", "--mode", "latency", "--rate", "1000", "--messages", "2000", "--warmup", "400",
            "--size", "100", "--fsync", "1")[0];
        final Map<String, String> json = lastLineJson(out);
        assertEquals("\"latency\"", json.get("mode"));
        assertEquals("100", json.get("size"));
        assertEquals("1", json.get("fsync"));
        assertEquals("null", json.get("window"));
        assertEquals("1000.0", json.get("rate"));
        assertEquals("null", json.get("error"));
        assertNumber(json, "p99_us");
        assertEveryMessageAnswered(out, 2400);
        assertTrue(out.contains("measured: "), "no progress line in\n" + out);
    }

    @Test
    @Timeout(180)
    void readPhasesPrintTheirThroughputAndLatencyBesideTheWrites() {
        final String out = run(0, "bench", "--messages", "2000", "--warmup", "200", "--window", "100",
            "--reads", "linearizable,lease,log")[0];
        final String[] lines = out.strip().split("\n");
        final Matcher m = FIELD.matcher(lines[lines.length - 1]);
        final Map<String, String> json = new LinkedHashMap<>();
        while (m.find()) {
            json.put(m.group(1), m.group(2));
        }
        assertEquals(FIELDS, new ArrayList<>(json.keySet()).subList(0, FIELDS.size()), "the usual fields first: " + json);
        assertEquals("null", json.get("error"));
        assertNumber(json, "msgs_per_s");
        for (String c : List.of("linearizable", "lease", "log")) {
            for (String f : List.of("msgs_per_s", "p50_us", "p99_us", "max_us")) {
                assertNumber(json, "reads_" + c + "_" + f);
            }
            assertTrue(out.contains("reads " + c + " "), out);
        }
        assertEveryMessageAnswered(out, 4 * (200 + 2000)); // each read phase is warmed up as the writes are
        assertTrue(out.contains(" us/read") && out.contains("allocated in the phase 'reads log'"), out);
        assertTrue(run(2, "bench", "--reads", "often")[1].contains("linearizable, lease, serializable, log"));
    }

    @Test
    @Timeout(120)
    void inProcessClientKeepsTheEngineLevelFigure() {
        final String out = run(0, "bench", "--client", "in-process", "--messages", "2000", "--warmup", "0")[0];
        final Map<String, String> json = lastLineJson(out);
        assertEquals("\"raftkv-in-process\"", json.get("system"));
        assertEquals("null", json.get("error"));
        assertEveryMessageAnswered(out, 2000);
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(run(2, "bench", "--size", "8")[1].contains("--size must be in [16, 262144], got 8"));
        assertTrue(run(2, "bench", "--mode", "fast")[1].contains("--mode must be throughput or latency, got 'fast'"));
        assertTrue(run(2, "bench", "--fsync", "2")[1].contains("--fsync must be 0 or 1, got 2"));
        assertTrue(run(2, "bench", "--client", "tcp")[1].contains("--client must be aeron or in-process, got 'tcp'"));
    }

    @Test
    @Timeout(120)
    void theClientFollowsTheNewLeaderWhenTheLeaderCrashesAndEveryMessageIsAnswered() throws Exception {
        final StringWriter out = new StringWriter();
        // 10,000 messages at 2,000/s over Aeron; the leader's process "dies" (node and client service closed) 1.5 s in
        final BenchOptions options = new BenchOptions(BenchOptions.Client.AERON, BenchOptions.Mode.LATENCY, 10_000, 0, 1,
            2_000, 64, false, 100, null);
        final BenchResult result = Bench.run(options, new PrintWriter(out, true), (leader, crash) -> {
            Thread.sleep(1_500);
            crash.accept(leader);
        });
        result.printTable(new PrintWriter(out, true));
        assertTrue(result.complete(), out.toString());
        assertEquals(10_000, result.answered(), out.toString());
        assertTrue(result.leaderChanges() >= 1, out.toString());
        assertTrue(result.resent() > 0, out.toString());
    }
}
