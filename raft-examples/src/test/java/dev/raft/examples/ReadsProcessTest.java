package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.kv.Consistency;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvOutcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads without the log against three real {@code raftkv server} JVMs over Aeron UDP: a read issued after a write was
 * acknowledged sees it, whichever node serves it (the leader, or a follower asking the leader for a read index),
 * with ReadIndex and with the lease; and the CLI's {@code get --consistency}.
 */
class ReadsProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aReadAfterAnAcknowledgedWriteSeesItOnEveryNode() throws Exception {
        try (ServerProcesses cluster = new ServerProcesses(3)) {
            for (int id = 1; id <= 3; id++) {
                cluster.start(id);
            }
            try (KvClient client = KvClient.builder(cluster.endpoints()).build()) {
                assertTrue(client.findLeader(Duration.ofSeconds(60)).isPresent(), "a leader: " + cluster.logs());
                for (int round = 0; round < 10; round++) {
                    final String value = "v" + round;
                    final KvOutcome put = client.put("k", value.getBytes(StandardCharsets.UTF_8), TIMEOUT);
                    if (!(put instanceof KvOutcome.Ok)) {
                        continue; // a leader change during the write: its outcome is not acknowledged
                    }
                    for (int node = 1; node <= 3; node++) {
                        for (Consistency c : new Consistency[] {Consistency.LINEARIZABLE, Consistency.LEASE}) {
                            final KvOutcome read = client.getFrom(node, "k", c, TIMEOUT);
                            final KvOutcome.Ok ok = assertInstanceOf(KvOutcome.Ok.class, read,
                                "node " + node + " " + c + ": " + read.describe() + cluster.logs());
                            assertEquals(value, ok.result().valueText(), "node " + node + " " + c + " after write " + round);
                            assertEquals(node, ok.nodeId(), "served by the node asked");
                        }
                    }
                    final KvOutcome.Ok fromLeader = assertInstanceOf(KvOutcome.Ok.class, client.get("k", TIMEOUT));
                    assertEquals(value, fromLeader.result().valueText());
                }
            }
            for (String consistency : new String[] {"linearizable", "lease", "serializable", "log"}) {
                final StringWriter out = new StringWriter();
                final StringWriter err = new StringWriter();
                final int code = RaftKv.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                    .execute("client", "--cluster", cluster.peers(), "--timeout-ms", "20000", "get", "k",
                        "--consistency", consistency, "--node", "2");
                assertEquals(0, code, consistency + ": " + out + err);
                assertTrue(out.toString().trim().startsWith("v"), consistency + ": " + out);
            }
            final StringWriter err = new StringWriter();
            assertEquals(2, RaftKv.commandLine().setErr(new PrintWriter(err, true))
                .execute("client", "--cluster", cluster.peers(), "get", "k", "--consistency", "sometimes"), err.toString());
            assertTrue(err.toString().contains("--consistency"), err.toString());
        }
    }
}
