package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A live 3-node cluster of {@code raftkv server} processes with {@code --metrics-port}: the Prometheus endpoint of
 * each node is scraped (Raft state, per-follower lag on the leader, the transport's Agrona counters), and
 * {@code raftkv stat} prints a node's counters (the transport's and the engine's) from its driver's CnC file.
 */
class MetricsClusterTest {
    private Path dir;
    private String peers;
    private final Map<Integer, Process> servers = new HashMap<>();
    private final Map<Integer, Integer> metricsPorts = new HashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("raftkv-metrics-");
        peers = Demo.freeLoopbackEndpoints(3).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Process p : servers.values()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        Demo.deleteTree(dir);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void prometheusAndStatShowTheClusterAndItsCounters() throws Exception {
        for (int id = 1; id <= 3; id++) {
            final int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            metricsPorts.put(id, port);
            servers.put(id, ServerLauncher.start(dir.resolve("server-" + id + ".log"), "server", "--id", Integer.toString(id),
                "--peers", peers, "--dir", dir.resolve("node-" + id).toString(), "--aeron-dir", aeronDir(id),
                "--metrics-port", Integer.toString(port)));
        }
        // some traffic; a put whose outcome is unknown (a leader change while the cluster settles under load) is
        // simply repeated: puts are idempotent
        final long putDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 5; i++) {
            while (true) {
                final StringWriter err = new StringWriter();
                final int code = RaftKv.commandLine().setOut(new PrintWriter(new StringWriter(), true))
                    .setErr(new PrintWriter(err, true))
                    .execute("client", "--cluster", peers, "--timeout-ms", "20000", "put", "k" + i, "v" + i);
                if (code == 0) {
                    break;
                }
                assertTrue(System.nanoTime() < putDeadline, err + logs());
                Thread.sleep(200);
            }
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int leader = 0;
        String leaderText = "";
        while (leader == 0) {
            for (int id = 1; id <= 3; id++) {
                final String text = scrape(id);
                if (value(text, "raft_is_leader\\{node=\"" + id + "\"}") == 1
                    && value(text, "raft_commit_index\\{node=\"" + id + "\"}") >= 6
                    && value(text, "raft_follower_lag_entries\\{follower=\"" + (id % 3 + 1) + "\",node=\"" + id + "\"}") == 0) {
                    leader = id;
                    leaderText = text;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no leader with both followers caught up:\n" + scrape(1) + logs());
            Thread.sleep(200);
        }
        assertTrue(leaderText.contains("# TYPE raft_transport_frames_out_total counter"), leaderText);
        assertTrue(value(leaderText, "raft_transport_frames_out_total\\{cluster=\"1\",node=\"" + leader + "\"}") > 0, leaderText);
        assertTrue(leaderText.contains("raft_transport_receive_drop_total{cluster=\"1\",node=\"" + leader + "\",reason="), leaderText);
        assertTrue(leaderText.contains("aeron_driver_counter{name=\"Bytes sent\",node=\"" + leader + "\"}"), leaderText);
        assertTrue(1 <= value(leaderText, "raft_engine_leaderships_won_total\\{node=\"" + leader + "\"}"), leaderText);
        assertTrue(leaderText.contains("raft_engine_snapshot_transfers_completed_total{node=\"" + leader + "\"}"), leaderText);
        // the servers force their log (no --no-fsync): every committed put was forced at least once on the leader
        assertTrue(value(leaderText, "raft_log_fsync_seconds_count\\{node=\"" + leader + "\"}") >= 5, leaderText);
        assertTrue(leaderText.contains("raft_log_fsync_seconds_bucket{node=\"" + leader + "\",le=\"0.001\"}"), leaderText);
        final int follower = leader % 3 + 1;
        final String followerText = scrape(follower);
        assertEquals(leader, value(followerText, "raft_leader_id\\{node=\"" + follower + "\"}"), followerText);
        assertEquals(1, value(followerText, "raft_role\\{node=\"" + follower + "\",role=\"FOLLOWER\"}"), followerText);
        assertTrue(value(followerText, "raft_applied_index\\{node=\"" + follower + "\"}") >= 1, followerText);

        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute("stat", "--aeron-dir", aeronDir(leader), "--count", "2", "--interval-ms", "100");
        assertEquals(0, code, err.toString());
        final String stat = out.toString();
        assertTrue(stat.contains("raft-transport cluster=1 node=" + leader + " frames-out"), stat);
        assertTrue(stat.contains("Bytes sent"), stat);
        assertEquals(2, stat.lines().filter(l -> l.equals("--")).count(), "two refreshes: " + stat);
        final Matcher framesOut = Pattern.compile("(?m)^\\s*\\d+:\\s+([\\d,]+) - raft-transport cluster=1 node=" + leader + " frames-out$")
            .matcher(stat);
        assertTrue(framesOut.find() && Long.parseLong(framesOut.group(1).replace(",", "")) > 0, stat);

        final StringWriter engineOut = new StringWriter();
        assertEquals(0, RaftKv.commandLine().setOut(new PrintWriter(engineOut, true)).setErr(new PrintWriter(err, true))
            .execute("stat", "--aeron-dir", aeronDir(leader), "--count", "1", "--filter", "leaderships"), err.toString());
        assertTrue(Pattern.compile("(?m)^\\s*\\d+:\\s+[1-9][\\d,]* - raft node " + leader + ": leaderships won$").matcher(engineOut.toString()).find(),
            engineOut.toString());
    }

    private String aeronDir(int id) {
        return dir.resolve("aeron-" + id).toString();
    }

    private String scrape(int id) throws IOException {
        final java.net.HttpURLConnection c = (java.net.HttpURLConnection) URI.create("http://127.0.0.1:" + metricsPorts.get(id)
            + "/metrics").toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        try (java.io.InputStream in = c.getInputStream()) {
            assertEquals(200, c.getResponseCode());
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.net.ConnectException e) {
            return "";   // the server is still starting
        }
    }

    /** The value of the sample whose name and labels match {@code sampleRegex}, or -1. */
    private static double value(String text, String sampleRegex) {
        final Matcher m = Pattern.compile("(?m)^" + sampleRegex + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private String logs() throws IOException {
        final StringBuilder sb = new StringBuilder();
        for (int id = 1; id <= 3; id++) {
            final Path log = dir.resolve("server-" + id + ".log");
            if (Files.exists(log)) {
                sb.append("\n--- server ").append(id).append(":\n").append(Files.readString(log));
            }
        }
        return sb.toString();
    }
}
