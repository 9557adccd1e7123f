package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The client against three real {@code raftkv server} JVMs over Aeron UDP: the CLI's exit codes, value files and
 * JSON status; a client whose {@code --cluster} lists only a follower finds the leader through its hint; and
 * (last) the leader killed with kill -9 under load from four threads sharing one {@link KvClient}: every outcome
 * is honest (each OK write is there, each FAILED one is not) and the client's outage is short.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientProcessTest {
    /** The servers' default maximum election timeout (RaftConfig). */
    private static final long MAX_ELECTION_TIMEOUT_MS = 300;
    private ServerProcesses cluster;

    @BeforeAll
    void startServers() throws Exception {
        cluster = new ServerProcesses(3);
        for (int id = 1; id <= 3; id++) {
            cluster.start(id);
        }
        try (KvClient client = KvClient.builder(cluster.endpoints()).build()) {
            assertTrue(client.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader: " + cluster.logs());
        }
    }

    @AfterAll
    void stopServers() throws Exception {
        cluster.close();
    }

    private record Cli(int code, String out, String err) {
    }

    private Cli cli(String... args) {
        return run(withCluster(cluster.peers(), args));
    }

    private static List<String> withCluster(String peers, String... args) {
        final List<String> all = new ArrayList<>(List.of("client", "--cluster", peers, "--timeout-ms", "20000"));
        all.addAll(List.of(args));
        return all;
    }

    private static Cli run(List<String> args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(args.toArray(String[]::new));
        return new Cli(code, out.toString(), err.toString());
    }

    /**
     * Runs a command (a write, or a read or a failing compare-and-set, which go through the log too) until its
     * outcome is known: on a loaded machine a leader may change while the command is in flight, and exit 3 (outcome
     * unknown) is then the honest answer; the test wants the known one. Every command so run is idempotent.
     */
    private Cli known(String... args) {
        return untilKnown(withCluster(cluster.peers(), args));
    }

    /** {@link #known} through a client that knows only node {@code id}. */
    private Cli knownThrough(int id, String... args) {
        return untilKnown(withCluster(id + "=" + cluster.endpoints().get(id), args));
    }

    private static Cli untilKnown(List<String> args) {
        Cli result = run(args);
        for (int attempt = 1; attempt < 5 && result.code == 3; attempt++) {
            result = run(args);
        }
        return result;
    }

    /**
     * Runs {@code args} until {@code settled} holds for its answer (a leader known to every node: an election under
     * load can be in progress at any moment), at most 30 s; returns the last answer.
     */
    private Cli untilSettled(java.util.function.Predicate<Cli> settled, String... args) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Cli result = cli(args);
        while (!settled.test(result) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            result = cli(args);
        }
        return result;
    }

    @Test
    @Order(1)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theCliAnswersWithItsDocumentedExitCodesAndOneLinePerFailure() throws Exception {
        final Cli first = known("put", "a", "1");
        assertEquals(0, first.code, first.toString());
        assertEquals("1", known("get", "a").out.trim());
        final Cli missing = known("get", "nope");
        assertEquals(1, missing.code, missing.toString());
        assertEquals("not found: nope", missing.err.trim());
        final Cli mismatch = known("cas", "--expect", "2", "a", "3");
        assertEquals(1, mismatch.code, mismatch.toString());
        assertEquals(2, cli("put", "a").code, "no value: a usage error");

        final Path file = Files.createTempFile("raftkv-value-", ".bin");
        try {
            final byte[] big = new byte[ClientProtocol.MAX_COMMAND_BYTES - ClientProtocol.COMMAND_OVERHEAD_BYTES - 3];
            java.util.Arrays.fill(big, (byte) 'x');
            Files.write(file, big);
            final Cli largest = known("put", "big", "--value-file", file.toString());
            assertEquals(0, largest.code, "the largest value that fits the documented limit: " + largest + cluster.logs());
            assertEquals(big.length, known("get", "big").out.trim().length());
            Files.write(file, new byte[big.length + 1]);
            final Cli tooLarge = cli("put", "big", "--value-file", file.toString());
            assertEquals(2, tooLarge.code, tooLarge.toString());
            assertTrue(tooLarge.err.contains("value too large") && tooLarge.err.contains("the limit is "
                + ClientProtocol.MAX_COMMAND_BYTES + " bytes"), tooLarge.err);
        } finally {
            Files.deleteIfExists(file);
        }
        final InputStream stdin = System.in;
        try {
            Cli piped = null;
            for (int attempt = 0; attempt < 5 && (piped == null || piped.code == 3); attempt++) {
                // each attempt gets its own stdin: a retry of the same write would find it consumed and write ""
                System.setIn(new ByteArrayInputStream("from stdin".getBytes(StandardCharsets.UTF_8)));
                piped = cli("put", "piped", "--value-file", "-");
            }
            assertEquals(0, piped.code, piped.toString());
        } finally {
            System.setIn(stdin);
        }
        assertEquals("from stdin", known("get", "piped").out.trim());

        final Cli json = untilSettled(c -> c.out.split("\"role\":\"LEADER\"", -1).length == 2, "status", "--json");
        assertEquals(0, json.code, json.toString());
        final String[] lines = json.out.trim().split("\n");
        assertEquals(3, lines.length, json.out);
        for (String line : lines) {
            assertTrue(line.startsWith("{\"node\":") && line.endsWith("}") && line.contains("\"reachable\":true"), line);
        }
        assertEquals(1, json.out.split("\"role\":\"LEADER\"", -1).length - 1, json.out);
        final Cli health = untilSettled(c -> c.code == 0, "health");
        assertEquals(0, health.code, health.toString());
        assertTrue(health.out.startsWith("healthy: leader "), health.out);

        final Map<Integer, String> nobody = Demo.freeLoopbackEndpoints(2);
        final Cli unavailable = run(List.of("client", "--cluster", "1=" + nobody.get(1) + ",2=" + nobody.get(2),
            "--timeout-ms", "1500", "put", "k", "v"));
        assertEquals(4, unavailable.code, unavailable.toString());
        assertEquals(1, unavailable.err.trim().split("\n").length, "one line: " + unavailable.err);
        assertTrue(unavailable.err.contains("not applied") && unavailable.err.contains("node 1: unreachable"), unavailable.err);
        assertFalse(unavailable.err.matches("(?s).*\\b(java|io\\.aeron|dev\\.raft)\\.[a-z]+\\..*"), "no class names: "
            + unavailable.err);
        final Cli unhealthy = run(List.of("client", "--cluster", "1=" + nobody.get(1), "--timeout-ms", "500", "health"));
        assertEquals(4, unhealthy.code, unhealthy.toString());
    }

    @Test
    @Order(2)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aClientThatKnowsOnlyAFollowerFollowsTheHintToTheLeader() throws InterruptedException {
        // by condition, not by a stable leader: an attempt that a leader change overtook (the follower became the
        // leader, or the put's outcome is unknown) says nothing about hints and is made again with a fresh key
        String key = null;
        int follower = 0;
        final List<String> attempts = new ArrayList<>();
        for (int attempt = 1; attempt <= 5 && key == null; attempt++) {
            final KvClient.Leader before;
            try (KvClient probe = KvClient.builder(cluster.endpoints()).build()) {
                before = probe.findLeader(Duration.ofSeconds(20)).orElseThrow();
            }
            follower = before.nodeId() % 3 + 1;
            final Map<Integer, String> onlyFollower = Map.of(follower, cluster.endpoints().get(follower));
            final String k = "hinted-" + attempt;
            try (KvClient client = KvClient.builder(onlyFollower).build()) {
                final KvOutcome put = client.put(k, "yes".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
                final Optional<KvClient.Leader> named = client.leader();
                if (put instanceof KvOutcome.Ok ok && ok.nodeId() != follower) {
                    // only a leader answers a write OK: the client, which knew only the follower, followed the hint
                    assertEquals(ok.nodeId(), named.map(KvClient.Leader::nodeId).orElse(0),
                        "the client names the leader it was not given");
                    key = k;
                } else {
                    attempts.add("attempt " + attempt + ": leader " + before.nodeId() + " in term " + before.term()
                        + ", through follower " + follower + ": " + put.describe());
                    assertLeaderChangedSince(before, attempts);
                }
            }
        }
        assertTrue(key != null, "no attempt was left alone by leader changes: " + attempts);
        final Cli cli = knownThrough(follower, "get", key);
        assertEquals(0, cli.code, cli.toString());
        assertEquals("yes", cli.out.trim());
    }

    /** An attempt may only fail if the leadership moved meanwhile; otherwise the hint was not followed. */
    private void assertLeaderChangedSince(KvClient.Leader before, List<String> attempts) {
        try (KvClient probe = KvClient.builder(cluster.endpoints()).build()) {
            final KvClient.Leader now = probe.findLeader(Duration.ofSeconds(20)).orElseThrow();
            assertTrue(now.term() > before.term(), "the leader " + before.nodeId() + " kept its term " + before.term()
                + ", yet the client that knew only a follower did not reach it: " + attempts + cluster.logs());
        }
    }

    private void awaitCaughtUp(KvClient observer, int id) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            final Map<Integer, Optional<KvClient.Response>> all = observer.statusOfAll(Duration.ofMillis(500));
            final Optional<KvClient.Response> leader = all.values().stream().flatMap(Optional::stream)
                .filter(r -> r.role() == Role.LEADER).findAny();
            final Optional<KvClient.Response> node = all.get(id);
            if (leader.isPresent() && node.isPresent() && node.get().role() == Role.FOLLOWER
                && node.get().appliedIndex() >= leader.get().committedIndex()) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "node " + id + " did not catch up: " + all + cluster.logs());
            Thread.sleep(100);
        }
    }

    /** One client operation: what it was, when it ran, how it ended. */
    private record Op(String key, String value, long invokedNanos, long completedNanos, KvOutcome outcome) {
    }

    @Test
    @Order(3)
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aLeaderKilledUnderLoadCostsAShortOutageAndEveryOutcomeIsHonest() throws Exception {
        final int rounds = 2;
        final int threads = 4;
        final List<Long> outages = new ArrayList<>();
        final List<Long> failovers = new ArrayList<>();
        final ConcurrentLinkedQueue<Op> history = new ConcurrentLinkedQueue<>();
        try (KvClient client = KvClient.builder(cluster.endpoints()).build();
             KvClient observer = KvClient.builder(cluster.endpoints()).build()) {
            for (int round = 0; round < rounds; round++) {
                final KvClient.Leader old = client.findLeader(Duration.ofSeconds(30)).orElseThrow();
                final AtomicBoolean stop = new AtomicBoolean();
                final List<Thread> workers = new ArrayList<>();
                final long[] killedAt = {Long.MAX_VALUE};
                final long[][] firstOkAfterKill = new long[threads][1];
                for (int t = 0; t < threads; t++) {
                    final int thread = t;
                    final int r = round;
                    firstOkAfterKill[t][0] = Long.MAX_VALUE;
                    final Thread worker = new Thread(() -> {
                        for (int n = 0; !stop.get(); n++) {
                            final String key = "r" + r + "-t" + thread + "-" + n;
                            final long invoked = System.nanoTime();
                            final KvOutcome outcome = client.put(key, key.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
                            final long completed = System.nanoTime();
                            history.add(new Op(key, key, invoked, completed, outcome));
                            synchronized (killedAt) {
                                if (outcome instanceof KvOutcome.Ok && invoked > killedAt[0]
                                    && firstOkAfterKill[thread][0] == Long.MAX_VALUE) {
                                    firstOkAfterKill[thread][0] = completed;
                                }
                            }
                        }
                    }, "load-" + t);
                    worker.start();
                    workers.add(worker);
                }
                Thread.sleep(1500);
                synchronized (killedAt) {
                    killedAt[0] = System.nanoTime();
                }
                cluster.kill(old.nodeId());
                final long killed = killedAt[0];
                // server failover as an observer sees it: a survivor leads in a later term
                long failover = -1;
                while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(30)) {
                    final Optional<KvClient.Response> leading = observer.statusOfAll(Duration.ofMillis(50)).values().stream()
                        .flatMap(Optional::stream).filter(s -> s.role() == Role.LEADER && s.term() > old.term()).findAny();
                    if (leading.isPresent()) {
                        failover = System.nanoTime() - killed;
                        break;
                    }
                }
                assertTrue(failover > 0, "a new leader within 30 s: " + cluster.logs());
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < until && java.util.Arrays.stream(firstOkAfterKill).anyMatch(f -> f[0] == Long.MAX_VALUE)) {
                    Thread.sleep(20);
                }
                Thread.sleep(500);
                stop.set(true);
                for (Thread w : workers) {
                    w.join(30_000);
                }
                failovers.add(TimeUnit.NANOSECONDS.toMillis(failover));
                for (long[] first : firstOkAfterKill) {
                    assertTrue(first[0] != Long.MAX_VALUE, "every thread wrote again after the kill: " + cluster.logs());
                    outages.add(TimeUnit.NANOSECONDS.toMillis(first[0] - killed));
                }
                cluster.start(old.nodeId()); // back for the next round: three caught-up nodes again
                awaitCaughtUp(observer, old.nodeId());
            }

            // honesty: every OK write is there, every FAILED one is not; UNKNOWN ones may be either
            final Map<Class<?>, Long> byOutcome = history.stream()
                .collect(Collectors.groupingBy(op -> op.outcome().getClass(), Collectors.counting()));
            int checked = 0;
            for (Op op : history) {
                if (op.outcome() instanceof KvOutcome.Unknown) {
                    continue;
                }
                final KvOutcome read = client.get(op.key(), Duration.ofSeconds(20));
                assertInstanceOf(KvOutcome.Ok.class, read, read.describe());
                final KvResult result = ((KvOutcome.Ok) read).result();
                if (op.outcome() instanceof KvOutcome.Ok) {
                    assertEquals(KvResult.Status.OK, result.status(), "acknowledged write " + op.key() + " is lost");
                    assertEquals(op.value(), result.valueText());
                } else {
                    assertEquals(KvResult.Status.NOT_FOUND, result.status(), "write " + op.key() + " reported FAILED ("
                        + op.outcome().describe() + ") was applied");
                }
                checked++;
            }
            Collections.sort(outages);
            final long p50 = outages.get(outages.size() / 2);
            final long p99 = outages.get((int) Math.ceil(outages.size() * 0.99) - 1);
            final long worstFailover = Collections.max(failovers);
            System.out.println("client failover: " + rounds + " leader kills, " + threads + " threads on one KvClient; "
                + history.size() + " writes " + byOutcome.entrySet().stream().map(e -> e.getKey().getSimpleName() + "="
                + e.getValue()).collect(Collectors.joining(", ")) + "; " + checked + " read back; server failover ms "
                + failovers + "; client outage ms p50 " + p50 + " p99 " + p99 + " max " + outages.get(outages.size() - 1)
                + " (target p99 <= " + 2 * MAX_ELECTION_TIMEOUT_MS + " ms)");
            // what the client adds to the servers' failover is bounded by two election timeouts; the absolute figure
            // is printed (on a loaded machine the election itself can take longer than the target)
            assertTrue(p99 - worstFailover <= 2 * MAX_ELECTION_TIMEOUT_MS, "client outage p99 " + p99
                + " ms exceeds the servers' failover (" + worstFailover + " ms) by more than " + 2 * MAX_ELECTION_TIMEOUT_MS
                + " ms; outages " + outages);
        }
    }
}
