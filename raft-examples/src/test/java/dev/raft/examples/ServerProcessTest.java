package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three {@code raftkv server} JVMs on 127.0.0.1 (child processes on this test's module path), driven by
 * {@code raftkv client} commands: writes, reads, CAS, delete, the leader killed with destroyForcibly,
 * writes continuing, the killed server restarted and caught up.
 */
class ServerProcessTest {
    private ServerProcesses cluster;
    private String peers;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new ServerProcesses(3);
        peers = cluster.peers();
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void serversSurviveAKilledLeaderAndTheRestartedOneCatchesUp() throws Exception {
        for (int id = 1; id <= 3; id++) {
            start(id);
        }
        for (int i = 0; i < 5; i++) {
            assertOk(client("put", "k" + i, "v" + i));
        }
        final List<String[]> before = status();
        final int leader = leaderOf(before);
        assertEquals(3, before.stream().filter(row -> row.length > 3).count(), "every node answers: " + table(before));

        cluster.kill(leader);

        for (int i = 5; i < 10; i++) {
            assertOk(client("put", "k" + i, "v" + i));
        }
        assertEquals("v0", assertOk(client("get", "k0")).trim());
        assertEquals("v9", assertOk(client("get", "k9")).trim());
        assertOk(client("cas", "--expect", "v5", "k5", "five"));
        final Result failedCas = client("cas", "--expect", "v5", "k5", "again");
        assertEquals(1, failedCas.code, failedCas.toString());
        assertTrue(failedCas.err.contains("holds 'five'"), failedCas.toString());
        assertOk(client("cas", "fresh", "new"));
        assertOk(client("delete", "k1"));
        final Result missing = client("get", "k1");
        assertEquals(1, missing.code, missing.toString());
        assertTrue(missing.err.contains("not found: k1"), missing.toString());

        final List<String[]> after = status();
        final int newLeader = leaderOf(after);
        assertNotEquals(leader, newLeader, "a new leader took over: " + table(after));

        start(leader);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String[]> rows;
        while (true) {
            rows = status();
            final String[] restarted = rows.get(leader - 1);
            final String[] current = rows.stream().filter(r -> r.length > 3 && r[2].equals("LEADER")).findFirst().orElse(null);
            // columns: node endpoint role term leader lastLog committed applied
            if (restarted.length > 3 && current != null && restarted[7].equals(current[6])
                && restarted[2].equals("FOLLOWER")) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "node " + leader + " did not catch up: " + table(rows));
            Thread.sleep(200);
        }
        assertEquals("five", assertOk(client("get", "k5")).trim());
    }

    private void start(int id) throws IOException {
        cluster.start(id);
    }

    /**
     * This test's module path plus the runtime jars surefire left on the class path (aopalliance and the other
     * non-modular jars nothing in the test's module graph requires): everything bin/raftkv has in target/lib.
     */
    static String runtimeModulePath() {
        final List<String> path = new ArrayList<>(List.of(System.getProperty("jdk.module.path").split(File.pathSeparator)));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            final String unix = entry.replace(File.separatorChar, '/');
            if (entry.endsWith(".jar") && !unix.contains("/org/junit/") && !unix.contains("/org/opentest4j/")
                && !unix.contains("/org/apiguardian/") && !path.contains(entry)) {
                path.add(entry);
            }
        }
        return String.join(File.pathSeparator, path);
    }

    private record Result(int code, String out, String err) {
    }

    private Result client(String... args) {
        final List<String> all = new ArrayList<>(List.of("client", "--cluster", peers, "--timeout-ms", "20000"));
        all.addAll(List.of(args));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    private String assertOk(Result r) throws IOException {
        assertEquals(0, r.code, r + "\n" + serverLogs());
        return r.out;
    }

    private List<String[]> status() {
        final Result r = client("status");
        final List<String[]> rows = new ArrayList<>();
        final String[] lines = r.out.split("\n");
        for (int i = 1; i < lines.length; i++) {
            rows.add(lines[i].trim().split("\\s+"));
        }
        assertEquals(3, rows.size(), r.toString());
        return rows;
    }

    private static int leaderOf(List<String[]> rows) {
        final List<String[]> leaders = rows.stream().filter(r -> r.length > 3 && r[2].equals("LEADER")).toList();
        assertEquals(1, leaders.size(), "one leader: " + table(rows));
        return Integer.parseInt(leaders.get(0)[0]);
    }

    private static String table(List<String[]> rows) {
        return rows.stream().map(r -> String.join(" ", r)).collect(Collectors.joining("\n", "\n", ""));
    }

    private String serverLogs() {
        return cluster.logs();
    }
}
