package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.kv.FakeServers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit 3 (outcome unknown) and exit 4 (refused: not applied) of {@code raftkv client}, against scripted servers: a
 * leader that dies with the command in flight (re-sent in the client's session to the next leader: exit 0; no next
 * leader: exit 3), and one that refuses it. One line each, no class names.
 */
class ClientCliOutcomeTest {
    private static String[] run(int expected, Map<Integer, String> endpoints, String... command) {
        final StringBuilder cluster = new StringBuilder();
        endpoints.forEach((id, e) -> cluster.append(cluster.length() == 0 ? "" : ",").append(id).append('=').append(e));
        final String[] args = new String[command.length + 5];
        args[0] = "client";
        args[1] = "--cluster";
        args[2] = cluster.toString();
        args[3] = "--timeout-ms";
        args[4] = "10000";
        System.arraycopy(command, 0, args, 5, command.length);
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        assertEquals(expected, code, "out: " + out + "\nerr: " + err);
        assertEquals(1, err.toString().trim().split("\n").length, "one line: " + err);
        assertTrue(!err.toString().matches("(?s).*\\b(java|io\\.aeron|dev\\.raft)\\.[a-z]+\\..*"), "no class names: " + err);
        return new String[] {out.toString(), err.toString()};
    }

    /** Node 1 leads and dies with the first command; node 2 then leads if {@code successor}, else follows node 1. */
    private static AtomicBoolean leaderDiesWithTheCommand(FakeServers servers, boolean successor) {
        final AtomicBoolean killed = new AtomicBoolean();
        servers.script(1, kind -> {
            if (killed.get() || kind == RequestKind.COMMAND) {
                killed.set(true);
                return null;
            }
            return new FakeServers.Answer(ResponseCode.OK, Role.LEADER, 1, 1, servers.clientEndpoint(1));
        });
        servers.script(2, kind -> killed.get() && successor
            ? new FakeServers.Answer(ResponseCode.OK, Role.LEADER, 2, 2, servers.clientEndpoint(2))
            : new FakeServers.Answer(ResponseCode.OK, Role.FOLLOWER, 1, 1, servers.clientEndpoint(1)));
        return killed;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteWhoseLeaderDiesWithItIsResentInItsSessionToTheNextLeader() {
        final Map<Integer, String> endpoints = TestPorts.loopback(2);
        try (FakeServers servers = new FakeServers(endpoints)) {
            leaderDiesWithTheCommand(servers, true);
            final String out = run(0, endpoints, "put", "k", "v")[0];
            assertEquals("OK", out.trim());
            assertEquals(1, servers.commands(2), "re-sent to the new leader");
            assertEquals(servers.sessions(1).get(0), servers.sessions(2).get(0), "with the same session id and sequence");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aWriteWhoseLeaderDiesWithItAndNoLeaderFollowsExitsThree() {
        final Map<Integer, String> endpoints = TestPorts.loopback(2);
        try (FakeServers servers = new FakeServers(endpoints)) {
            leaderDiesWithTheCommand(servers, false);
            final String err = run(3, endpoints, "put", "k", "v")[1];
            assertTrue(err.startsWith("raftkv client: outcome unknown: node 1 "), err);
            assertEquals(0, servers.commands(2), "no other leader: not re-sent");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRefusedCommandExitsFour() {
        final Map<Integer, String> endpoints = TestPorts.loopback(1);
        try (FakeServers servers = new FakeServers(endpoints)) {
            servers.script(1, kind -> new FakeServers.Answer(kind == RequestKind.COMMAND ? ResponseCode.REJECTED : ResponseCode.OK,
                Role.LEADER, 1, 1, servers.clientEndpoint(1)));
            final String err = run(4, endpoints, "put", "k", "v")[1];
            assertEquals("raftkv client: not applied: node 1 refused the command: scripted", err.trim());
        }
    }
}
