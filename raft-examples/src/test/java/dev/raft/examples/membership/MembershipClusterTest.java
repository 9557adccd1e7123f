package dev.raft.examples.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.ExamplesTestSupport;
import dev.raft.examples.kv.AdminRequests;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.testkit.linearizability.CheckResult;
import dev.raft.testkit.linearizability.KvInput;
import dev.raft.testkit.linearizability.KvOutput;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Membership change on the real stack: {@code raftkv server} JVMs over Aeron UDP on 127.0.0.1, changed with the
 * {@code raftkv admin} command line while three client threads write continuously. Every test records the history
 * and checks it with the testkit's linearizability checker after final reads (so no acknowledged write is lost and
 * every read is explained), and checks that no two nodes ever said they led the same term.
 *
 * <p>{@code -Dmembership.transfers=N} sets the number of leadership transfers (default 20).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MembershipClusterTest {
    private static final int TRANSFERS = Integer.getInteger("membership.transfers", 20);
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(30);

    private record Cli(int code, String out, String err) {
    }

    private static Cli admin(MemberProcesses cluster, String... args) {
        final List<String> all = new ArrayList<>(List.of("admin", "--cluster", cluster.peers(cluster.endpoints().keySet()),
            "--timeout-ms", "20000"));
        all.addAll(Arrays.asList(args));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ExamplesTestSupport.raftkv(new PrintWriter(out, true), new PrintWriter(err, true),
            all.toArray(String[]::new));
        return new Cli(code, out.toString().trim(), err.toString().trim());
    }

    /** Runs an admin command until it succeeds, retrying refusals that pass (a change in progress, a lagging learner). */
    private static String adminOk(MemberProcesses cluster, String... args) throws InterruptedException {
        final long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (true) {
            final Cli cli = admin(cluster, args);
            if (cli.code() == 0) {
                assertEquals(1, cli.out().lines().count(), "one line: " + cli.out());
                return cli.out();
            }
            assertEquals(4, cli.code(), "admin " + String.join(" ", args) + ": " + cli + "\n" + cluster.logs());
            assertEquals(1, cli.err().lines().count(), "one line on failure: " + cli.err());
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("admin " + String.join(" ", args) + " still refused after " + CHANGE_TIMEOUT + ": "
                    + cli.err() + "\n" + cluster.logs());
            }
            Thread.sleep(200);
        }
    }

    /** Adds {@code id} (started with --join) as a learner, then promotes it. */
    private static void addVoter(MemberProcesses cluster, int id) throws Exception {
        cluster.startJoining(id);
        final String learner = adminOk(cluster, "add-learner", "--id", Integer.toString(id), "--endpoint", cluster.endpoint(id));
        assertTrue(learner.contains("learners [" + id + "]"), learner);
        final String voter = adminOk(cluster, "promote", "--id", Integer.toString(id));
        assertTrue(voter.matches(".*voters \\[[0-9, ]*\\b" + id + "\\b[0-9, ]*\\], learners \\[\\].*"), voter);
    }

    private static void awaitWrites(MembershipLoad load, long more) throws InterruptedException {
        final long target = load.acknowledgedWrites() + more;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (load.acknowledgedWrites() < target) {
            assertTrue(System.nanoTime() - deadline < 0, "the load made no progress: " + load.summary());
            Thread.sleep(20);
        }
    }

    private static void checkHistory(MembershipLoad load, MemberProcesses cluster) throws InterruptedException {
        load.stopAndReadAll();
        final CheckResult<KvInput, KvOutput> result = load.check();
        assertTrue(result.isLinearizable(), "history not linearizable (" + load.summary() + "): " + result + "\n" + cluster.logs());
        assertTrue(load.termsWithTwoLeaders().isEmpty(), "two leaders in a term: " + load.termsWithTwoLeaders());
        System.out.println("membership load: " + load.summary());
    }

    @Test
    void growThreeToFiveTransferLeadershipRepeatedlyAndShrinkToThreeUnderLoad() throws Exception {
        try (MemberProcesses cluster = new MemberProcesses(5)) {
            cluster.startInitial(List.of(1, 2, 3));
            try (MembershipLoad load = new MembershipLoad(cluster.endpoints());
                 KvClient operator = KvClient.builder(cluster.endpoints()).replyHost("127.0.0.1").build()) {
                assertTrue(operator.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader: " + cluster.logs());
                load.start(3, 13);
                awaitWrites(load, 30);

                addVoter(cluster, 4);
                addVoter(cluster, 5);
                assertTrue(adminOk(cluster, "members").contains("voters [1, 2, 3, 4, 5], learners []"));
                awaitWrites(load, 30);

                final long[] millis = new long[TRANSFERS];
                for (int i = 0; i < TRANSFERS; i++) {
                    final int leader = members(operator).leaderId();
                    final int target = leader % 5 + 1;
                    final long start = System.nanoTime();
                    final KvOutcome outcome = operator.admin(AdminRequests.request(AdminRequests.Op.TRANSFER, target,
                        AdminRequests.ANY_CONFIG_INDEX, null), false, CHANGE_TIMEOUT);
                    millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    final KvOutcome.Ok ok = assertInstanceOf(KvOutcome.Ok.class, outcome,
                        "transfer " + (i + 1) + " from " + leader + " to " + target + ": " + outcome.describe() + "\n" + cluster.logs());
                    assertEquals(target, AdminRequests.decodeResult(ok.result().value()).leaderId(), "transfer " + (i + 1));
                    awaitWrites(load, 3);
                }
                Arrays.sort(millis);
                System.out.println("leadership transfers under load: " + TRANSFERS + ", median " + millis[TRANSFERS / 2]
                    + " ms, min " + millis[0] + " ms, max " + millis[TRANSFERS - 1] + " ms (client round trip of"
                    + " 'raftkv admin transfer')");

                // shrink 5 -> 3, the leader among the removed ones when it is 1 or 2
                adminOk(cluster, "remove", "--id", "1");
                final String three = adminOk(cluster, "remove", "--id", "2");
                assertTrue(three.contains("voters [3, 4, 5], learners []"), three);
                cluster.kill(1);
                cluster.kill(2);
                awaitWrites(load, 30);
                checkHistory(load, cluster);
            }
        }
    }

    private static AdminRequests.Result members(KvClient operator) {
        final KvOutcome outcome = operator.admin(AdminRequests.request(AdminRequests.Op.MEMBERS, 0,
            AdminRequests.ANY_CONFIG_INDEX, null), true, CHANGE_TIMEOUT);
        return AdminRequests.decodeResult(assertInstanceOf(KvOutcome.Ok.class, outcome, outcome.describe()).result().value());
    }

    @Test
    void replaceEveryMemberOneByOneTheLastAfterItsDiskDied() throws Exception {
        try (MemberProcesses cluster = new MemberProcesses(6)) {
            cluster.startInitial(List.of(1, 2, 3));
            try (MembershipLoad load = new MembershipLoad(cluster.endpoints());
                 KvClient operator = KvClient.builder(cluster.endpoints()).replyHost("127.0.0.1").build()) {
                assertTrue(operator.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader: " + cluster.logs());
                load.start(3, 17);
                awaitWrites(load, 30);
                for (int old = 1; old <= 3; old++) {
                    final int fresh = old + 3;
                    if (old == 3) {
                        // node 3's disk dies: it is stopped and its directory wiped; a new node takes its place
                        cluster.kill(3);
                        cluster.wipe(3);
                    }
                    addVoter(cluster, fresh);
                    final String after = adminOk(cluster, "remove", "--id", Integer.toString(old));
                    assertTrue(!after.matches(".*voters \\[[0-9, ]*\\b" + old + "\\b.*"), after);
                    cluster.kill(old);
                    awaitWrites(load, 20);
                }
                assertTrue(adminOk(cluster, "members").contains("voters [4, 5, 6], learners []"));
                checkHistory(load, cluster);
            }
        }
    }
}
