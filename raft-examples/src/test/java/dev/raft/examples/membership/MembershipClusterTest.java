package dev.raft.examples.membership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.ExamplesTestSupport;
import dev.raft.examples.ServerProcesses;
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
import java.util.function.Predicate;
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
@Timeout(value = 420, unit = TimeUnit.SECONDS)
class MembershipClusterTest {
    private static final int TRANSFERS = Integer.getInteger("membership.transfers", 20);
    private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);
    private static final String[] TIMING = {"--election-timeout-ms", "400-800", "--heartbeat-ms", "100"};

    private record Cli(int code, String out, String err) {
    }

    private static Cli admin(ServerProcesses cluster, String... args) {
        final List<String> all = new ArrayList<>(List.of("admin", "--cluster", cluster.peers(cluster.endpoints().keySet()),
            "--timeout-ms", "20000"));
        all.addAll(Arrays.asList(args));
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = ExamplesTestSupport.raftkv(new PrintWriter(out, true), new PrintWriter(err, true),
            all.toArray(String[]::new));
        return new Cli(code, out.toString().trim(), err.toString().trim());
    }

    /**
     * Runs an admin change until {@code members} shows {@code done}: a refusal that passes (a change in progress, a
     * lagging learner) is retried, and so is an unknown outcome (the leader changed meanwhile) once the membership
     * shows the change did not happen — what the README tells operators to do. Returns the configuration line.
     */
    private static String change(ServerProcesses cluster, Predicate<String> done, String... args) throws InterruptedException {
        final long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (true) {
            final Cli cli = admin(cluster, args);
            if (cli.code() == 0) {
                assertEquals(1, cli.out().lines().count(), "one line: " + cli.out());
                if (done.test(cli.out())) {
                    return cli.out();
                }
            } else {
                assertTrue(cli.code() == 3 || cli.code() == 4, "admin " + String.join(" ", args) + ": " + cli + "\n" + cluster.logs());
                assertEquals(1, cli.err().lines().count(), "one line on failure: " + cli.err());
                final Cli members = admin(cluster, "members");
                if (members.code() == 0 && done.test(members.out())) {
                    return members.out();
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("admin " + String.join(" ", args) + " not done after " + CHANGE_TIMEOUT + ": "
                    + cli + "\n" + cluster.logs());
            }
            Thread.sleep(200);
        }
    }

    private static String members(ServerProcesses cluster) throws InterruptedException {
        return change(cluster, out -> true, "members");
    }

    private static Predicate<String> voters(String list) {
        return out -> out.contains("voters [" + list + "], learners []");
    }

    /**
     * Adds {@code id} (started with --join) as a learner, waits until it has applied what the leader had committed
     * (a learner that never heard from the leader is within any promotion lag of a short log, and promoting it
     * would leave the voters one short), then promotes it.
     */
    private static void addVoter(ServerProcesses cluster, KvClient operator, int id) throws Exception {
        cluster.startJoining(id);
        change(cluster, out -> out.matches(".*learners \\[[0-9, ]*\\b" + id + "\\b.*") || isVoter(out, id),
            "add-learner", "--id", Integer.toString(id), "--endpoint", cluster.endpoint(id));
        final int leader = members(operator).leaderId();
        final long committed = operator.status(leader, Duration.ofSeconds(5)).map(KvClient.Response::committedIndex).orElse(1L);
        final long deadline = System.nanoTime() + CHANGE_TIMEOUT.toNanos();
        while (operator.status(id, Duration.ofSeconds(1)).map(KvClient.Response::appliedIndex).orElse(0L) < committed) {
            assertTrue(System.nanoTime() - deadline < 0, "learner " + id + " did not catch up to " + committed + "\n" + cluster.logs());
            Thread.sleep(100);
        }
        change(cluster, out -> isVoter(out, id) && !out.contains("(joint)"), "promote", "--id", Integer.toString(id));
    }

    private static boolean isVoter(String configuration, int id) {
        return configuration.matches(".*voters \\[[0-9, ]*\\b" + id + "\\b[0-9, ]*\\].*");
    }

    private static void awaitWrites(MembershipLoad load, long more) throws InterruptedException {
        final long target = load.acknowledgedWrites() + more;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (load.acknowledgedWrites() < target) {
            assertTrue(System.nanoTime() - deadline < 0, "the load made no progress: " + load.summary());
            Thread.sleep(20);
        }
    }

    private static void checkHistory(MembershipLoad load, ServerProcesses cluster) throws InterruptedException {
        load.stopAndReadAll();
        final CheckResult<KvInput, KvOutput> result = load.check();
        assertTrue(result.isLinearizable(), "history not linearizable (" + load.summary() + "): " + result + "\n" + cluster.logs());
        assertTrue(load.termsWithTwoLeaders().isEmpty(), "two leaders in a term: " + load.termsWithTwoLeaders());
        System.out.println("membership load: " + load.summary());
    }

    @Test
    void growThreeToFiveTransferLeadershipRepeatedlyAndShrinkToThreeUnderLoad() throws Exception {
        try (ServerProcesses cluster = new ServerProcesses(5, TIMING)) {
            cluster.startInitial(List.of(1, 2, 3));
            try (MembershipLoad load = new MembershipLoad(cluster.endpoints());
                 KvClient operator = KvClient.builder(cluster.endpoints()).replyHost("127.0.0.1")
                     .suspectAfter(Duration.ofSeconds(2)).build()) {
                assertTrue(operator.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader: " + cluster.logs());
                load.start(3, 13);
                awaitWrites(load, 30);

                addVoter(cluster, operator, 4);
                addVoter(cluster, operator, 5);
                assertTrue(voters("1, 2, 3, 4, 5").test(members(cluster)), members(cluster));
                awaitWrites(load, 30);

                final long[] millis = new long[TRANSFERS];
                final List<String> refused = new ArrayList<>();
                for (int i = 0; i < TRANSFERS; i++) {
                    while (true) {
                        final int leader = members(operator).leaderId();
                        final int target = leader % 5 + 1;
                        final long start = System.nanoTime();
                        final KvOutcome outcome = operator.admin(AdminRequests.request(AdminRequests.Op.TRANSFER, target,
                            AdminRequests.ANY_CONFIG_INDEX, null), false, CHANGE_TIMEOUT);
                        millis[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                        if (outcome instanceof KvOutcome.Ok ok) {
                            assertEquals(target, AdminRequests.decodeResult(ok.result().value()).leaderId(), "transfer " + (i + 1));
                            break;
                        }
                        // the target did not win in time (a busy machine), or the leader changed meanwhile: retried
                        refused.add(outcome.describe());
                        assertTrue(refused.size() <= TRANSFERS, "too many failed transfers: " + refused + "\n" + cluster.logs());
                    }
                    awaitWrites(load, 3);
                }
                Arrays.sort(millis);
                System.out.println("leadership transfers under load: " + TRANSFERS + ", median " + millis[TRANSFERS / 2]
                    + " ms, min " + millis[0] + " ms, max " + millis[TRANSFERS - 1] + " ms (client round trip of"
                    + " 'raftkv admin transfer'); " + refused.size() + " attempts failed and were retried: " + refused);

                // shrink 5 -> 3, the leader among the removed ones when it is 1 or 2
                change(cluster, voters("2, 3, 4, 5"), "remove", "--id", "1");
                change(cluster, voters("3, 4, 5"), "remove", "--id", "2");
                cluster.kill(1);
                cluster.kill(2);
                awaitWrites(load, 30);
                checkHistory(load, cluster);
            }
        }
    }

    private static AdminRequests.Result members(KvClient operator) throws InterruptedException {
        final KvOutcome outcome = operator.admin(AdminRequests.request(AdminRequests.Op.MEMBERS, 0,
            AdminRequests.ANY_CONFIG_INDEX, null), true, CHANGE_TIMEOUT);
        return AdminRequests.decodeResult(assertInstanceOf(KvOutcome.Ok.class, outcome, outcome.describe()).result().value());
    }

    @Test
    void replaceEveryMemberOneByOneTheLastAfterItsDiskDied() throws Exception {
        try (ServerProcesses cluster = new ServerProcesses(6, TIMING)) {
            cluster.startInitial(List.of(1, 2, 3));
            try (MembershipLoad load = new MembershipLoad(cluster.endpoints());
                 KvClient operator = KvClient.builder(cluster.endpoints()).replyHost("127.0.0.1")
                     .suspectAfter(Duration.ofSeconds(2)).build()) {
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
                    addVoter(cluster, operator, fresh);
                    final int removed = old;
                    change(cluster, out -> !isVoter(out, removed) && !out.contains("(joint)") && !out.matches(".*learners \\[[0-9, ]*\\b"
                        + removed + "\\b.*"), "remove", "--id", Integer.toString(old));
                    cluster.kill(old);
                    awaitWrites(load, 20);
                }
                assertTrue(voters("4, 5, 6").test(members(cluster)), members(cluster));
                checkHistory(load, cluster);
            }
        }
    }
}
