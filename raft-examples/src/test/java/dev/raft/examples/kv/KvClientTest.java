package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.NodeId;
import dev.raft.api.Role;
import dev.raft.examples.TestPorts;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's protocol rules against scripted servers ({@link FakeServers}), one rule per test: a write whose leader
 * dies is re-sent to the new leader with the SAME session id and sequence (the servers' session table applies it at
 * most once; before sessions, the client re-sent it as a fresh command: the double application issue 11 saw), and a
 * refusal of that re-send by the session table ends UNKNOWN, not FAILED; a read is re-sent;
 * NOT_LEADER hints are followed at once, also to a leader missing from the cluster list; REJECTED ends FAILED; no
 * leader ends FAILED naming each node once.
 */
class KvClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final byte[] VALUE = "v".getBytes(StandardCharsets.UTF_8);

    private Map<Integer, String> endpoints;
    private FakeServers servers;

    @BeforeEach
    void setUp() {
        endpoints = TestPorts.loopback(3);
        servers = new FakeServers(endpoints);
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    private static FakeServers.Answer status(Role role, long term, int leader, String leaderEndpoint) {
        return new FakeServers.Answer(ResponseCode.OK, role, term, leader, leaderEndpoint);
    }

    /** Node 1 leads term 1 and swallows commands; once {@code killed}, it is silent and node 2 leads term 2. */
    private AtomicBoolean leaderDiesWithTheCommand() {
        final AtomicBoolean killed = new AtomicBoolean();
        servers.script(1, kind -> {
            if (killed.get()) {
                return null;
            }
            if (kind == RequestKind.COMMAND) {
                killed.set(true); // dies with the command in flight
                return null;
            }
            return status(Role.LEADER, 1, 1, servers.clientEndpoint(1));
        });
        servers.script(2, kind -> killed.get()
            ? new FakeServers.Answer(ResponseCode.OK, Role.LEADER, 2, 2, servers.clientEndpoint(2))
            : status(Role.FOLLOWER, 1, 1, servers.clientEndpoint(1)));
        servers.script(3, kind -> killed.get() ? status(Role.FOLLOWER, 2, 2, servers.clientEndpoint(2))
            : status(Role.FOLLOWER, 1, 1, servers.clientEndpoint(1)));
        return killed;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteInFlightAtALeaderThatDiesIsResentWithTheSameSessionAndSequence() {
        final AtomicBoolean killed = leaderDiesWithTheCommand();
        servers.script(2, kind -> killed.get()
            ? new FakeServers.Answer(ResponseCode.OK, Role.LEADER, 2, 2, servers.clientEndpoint(2),
                kind == RequestKind.COMMAND ? SessionStatus.REPLAYED : SessionStatus.NULL_VAL)
            : status(Role.FOLLOWER, 1, 1, servers.clientEndpoint(1)));
        try (KvClient client = KvClient.builder(endpoints).build()) {
            final long start = System.nanoTime();
            final KvOutcome outcome = client.put("k", VALUE, TIMEOUT);
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertInstanceOf(KvOutcome.Ok.class, outcome, outcome.describe());
            assertEquals(2, ((KvOutcome.Ok) outcome).nodeId());
            assertTrue(((KvOutcome.Ok) outcome).replayed(), "the new leader's session table answered the re-send");
            assertEquals(1, servers.commands(1));
            assertEquals(1, servers.commands(2), "re-sent once, to the new leader");
            final FakeServers.Session first = servers.sessions(1).get(0);
            assertEquals(first, servers.sessions(2).get(0), "the same client id, sequence and floor");
            assertNotEquals(0, first.clientId());
            assertEquals(new FakeServers.Session(first.clientId(), 1, 1), first);
            assertTrue(millis < TIMEOUT.toMillis() / 2, "the client noticed the new leader from the probes, after " + millis
                + " ms, not at its timeout");
            final KvOutcome next = client.put("k2", VALUE, TIMEOUT);
            assertEquals(2, ((KvOutcome.Ok) next).nodeId(), "the next write goes to the new leader");
            assertEquals(new FakeServers.Session(first.clientId(), 2, 2), servers.sessions(2).get(1),
                "the next call has the next sequence, and the client acknowledged the first");
            assertEquals(2, client.leader().orElseThrow().nodeId());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRefusedResendOfAWriteThatMayHaveBeenAppliedEndsUnknown() {
        final AtomicBoolean killed = leaderDiesWithTheCommand();
        servers.script(2, kind -> killed.get()
            ? new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.REJECTED : ResponseCode.OK, Role.LEADER, 2, 2,
                servers.clientEndpoint(2), kind == RequestKind.COMMAND ? SessionStatus.SESSION_EXPIRED : SessionStatus.NULL_VAL)
            : status(Role.FOLLOWER, 1, 1, servers.clientEndpoint(1)));
        try (KvClient client = KvClient.builder(endpoints).build()) {
            final KvOutcome outcome = client.put("k", VALUE, TIMEOUT);
            assertInstanceOf(KvOutcome.Unknown.class, outcome, outcome.describe());
            assertTrue(outcome.describe().contains("an earlier send may have been applied"), outcome.describe());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteWhoseLeaderAnswersErrorIsResentUntilItsDeadlineAndThenUnknown() {
        servers.script(1, kind -> new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.ERROR : ResponseCode.OK,
            Role.LEADER, 1, 1, servers.clientEndpoint(1)));
        try (KvClient client = KvClient.builder(Map.of(1, endpoints.get(1))).build()) {
            final KvOutcome outcome = client.put("k", VALUE, Duration.ofMillis(1500));
            assertInstanceOf(KvOutcome.Unknown.class, outcome, outcome.describe());
            assertTrue(servers.commands(1) >= 2, "re-sent: " + servers.commands(1));
            assertEquals(1, servers.sessions(1).stream().map(FakeServers.Session::sequence).distinct().count(),
                "every send carries the same sequence: " + servers.sessions(1));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReadInFlightAtALeaderThatDiesIsResentToTheNewLeader() {
        leaderDiesWithTheCommand();
        try (KvClient client = KvClient.builder(endpoints).build()) {
            final KvOutcome outcome = client.get("k", Consistency.LOG, TIMEOUT); // a read through the log: a command
            assertInstanceOf(KvOutcome.Ok.class, outcome, outcome.describe());
            assertEquals(2, ((KvOutcome.Ok) outcome).nodeId());
            assertEquals(1, servers.commands(2));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNotLeaderHintIsFollowedAtOnceEvenToALeaderMissingFromTheClusterList() {
        // the client knows only node 1; node 1 names node 3 (an id and endpoint the client was not given)
        servers.script(1, kind -> new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.NOT_LEADER : ResponseCode.OK,
            Role.FOLLOWER, 4, 3, servers.clientEndpoint(3)));
        servers.script(3, kind -> status(Role.LEADER, 4, 3, servers.clientEndpoint(3)));
        try (KvClient client = KvClient.builder(Map.of(1, endpoints.get(1))).build()) {
            final KvOutcome outcome = client.put("k", VALUE, TIMEOUT);
            assertInstanceOf(KvOutcome.Ok.class, outcome, outcome.describe());
            assertEquals(3, ((KvOutcome.Ok) outcome).nodeId());
            assertEquals(new KvClient.Leader(3, servers.clientEndpoint(3), 4), client.leader().orElseThrow());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClusterListThatGivesARunningNodeAnotherIdFailsAtOnceSayingSo() {
        // the list places node 2 where node 1 (the leader) runs: the client cannot know where node 1 is; it used to
        // wait out its whole timeout and end "no leader accepted the command"
        servers.script(1, kind -> status(Role.LEADER, 1, 1, ""));
        try (KvClient client = KvClient.builder(Map.of(2, endpoints.get(1))).build()) {
            final long start = System.nanoTime();
            final KvOutcome outcome = client.put("k", VALUE, TIMEOUT);
            assertEquals(new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, "the cluster list is wrong: node 1 answers"
                + " where it places node 2 (client endpoint " + servers.clientEndpoint(1) + ")"), outcome);
            assertTrue(System.nanoTime() - start < TIMEOUT.toNanos() / 2, "it fails long before its timeout");
            assertEquals(0, servers.commands(1), "no command sent");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRejectedCommandEndsFailedWithTheServersReason() {
        servers.script(1, kind -> new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.REJECTED : ResponseCode.OK,
            Role.LEADER, 1, 1, servers.clientEndpoint(1)));
        try (KvClient client = KvClient.builder(Map.of(1, endpoints.get(1))).build()) {
            final KvOutcome outcome = client.put("k", VALUE, TIMEOUT);
            assertEquals(new KvOutcome.Failed(KvOutcome.Failed.Reason.REJECTED, "node 1 refused the command: scripted"), outcome);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void noLeaderEndsFailedNamingEachNodeOnce() {
        for (int id = 1; id <= 3; id++) {
            final int self = id;
            servers.script(id, kind -> new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.NOT_LEADER
                : ResponseCode.OK, Role.CANDIDATE, 7, NodeId.NONE, ""));
            assertEquals(self, id);
        }
        try (KvClient client = KvClient.builder(endpoints).build()) {
            final KvOutcome outcome = client.put("k", VALUE, Duration.ofMillis(1500));
            assertInstanceOf(KvOutcome.Failed.class, outcome, outcome.describe());
            assertEquals(KvOutcome.Failed.Reason.UNAVAILABLE, ((KvOutcome.Failed) outcome).reason());
            for (int id = 1; id <= 3; id++) {
                assertEquals(2, outcome.describe().split("node " + id + ":", -1).length, outcome.describe());
            }
            assertEquals(0, servers.commands(1) + servers.commands(2) + servers.commands(3), "no command to a non-leader");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void oneClientServesManyThreads() throws Exception {
        servers.script(1, kind -> status(Role.LEADER, 1, 1, servers.clientEndpoint(1)));
        try (KvClient client = KvClient.builder(endpoints).build()) {
            final List<Thread> threads = new ArrayList<>();
            final List<KvOutcome> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 8; t++) {
                final Thread thread = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        outcomes.add(client.put("k", VALUE, TIMEOUT));
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(1600, outcomes.size());
            assertTrue(outcomes.stream().allMatch(o -> o instanceof KvOutcome.Ok), "every call answered: "
                + outcomes.stream().filter(o -> !(o instanceof KvOutcome.Ok)).findFirst().map(KvOutcome::describe).orElse(""));
            assertEquals(1600, servers.commands(1));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClientSharesTheDriverOfARaftProcessOnThisMachineOnlyWhenAsked() {
        servers.script(1, kind -> status(Role.LEADER, 1, 1, servers.clientEndpoint(1)));
        final java.nio.file.Path dir = dev.raft.transport.aeron.AeronDirectories.defaultDirectory(
            java.util.concurrent.ThreadLocalRandom.current().nextInt(1 << 20, 1 << 30), 1); // named as a node's, in this process
        try (io.aeron.driver.MediaDriver node = io.aeron.driver.MediaDriver.launchEmbedded(new io.aeron.driver.MediaDriver.Context()
                .aeronDirectoryName(dir.toString()).threadingMode(io.aeron.driver.ThreadingMode.SHARED)
                .termBufferSparseFile(true).dirDeleteOnStart(true).dirDeleteOnShutdown(true))) {
            try (KvClient shared = KvClient.builder(endpoints).shareRunningDriver(true).build();
                 KvClient own = KvClient.builder(endpoints).build()) {
                // another live raft process's driver may be found first: any running one is right
                assertTrue(dev.raft.transport.aeron.AeronDirectories.NAME.matcher(
                    java.nio.file.Path.of(shared.aeronDirectory()).getFileName().toString()).matches(), shared.aeronDirectory());
                assertTrue(io.aeron.CommonContext.isDriverActive(new java.io.File(shared.aeronDirectory()), 1000, m -> { }));
                assertTrue(!own.aeronDirectory().equals(shared.aeronDirectory())
                    && !own.aeronDirectory().contains("raft-aeron-c"), "by default a client starts its own driver: " + own.aeronDirectory());
                assertInstanceOf(KvOutcome.Ok.class, shared.put("k", VALUE, TIMEOUT));
                assertInstanceOf(KvOutcome.Ok.class, own.put("k", VALUE, TIMEOUT));
                assertEquals(dir.toString(), node.aeronDirectoryName());
            }
        }
    }
}
