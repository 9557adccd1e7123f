package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.kv.ClientAuthenticator;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import io.aeron.Aeron;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server with a client key (loaded from a mode-600 file) serves only clients holding it: requests without a tag or
 * with another key's tag are dropped and counted as UNAUTHENTICATED and never proposed; a key file readable by
 * others is refused naming the file and its mode.
 */
class ClientAuthenticationTest {
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void onlyClientsWithTheKeyAreServed() throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-auth-");
        final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(1);
        final Path keyFile = dir.resolve("client.key");
        KeyFile.write(keyFile, MacKeys.of(KeyFile.randomKey()));
        final KvNode.Options options = new KvNode.Options(1, 1, endpoints, dir.resolve("node"), dir.resolve("aeron").toString(),
            DurabilityMode.NO_FSYNC, null);
        try (KvNode node = KvNode.start(options);
             ClientService service = new ClientService(node, ClientProtocol.clientEndpoint(endpoints.get(1)),
                 ClientService.Settings.withKeyFile(keyFile)).start();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory()));
             KvClient keyless = KvClient.builder(endpoints).aeron(aeron).build();
             KvClient wrongKey = KvClient.builder(endpoints).aeron(aeron)
                 .authenticator(new ClientAuthenticator(MacKeys.of(KeyFile.randomKey())))
                 .build();
             KvClient keyed = KvClient.builder(endpoints).aeron(aeron).authenticator(ClientAuthenticator.fromFile(keyFile)).build()) {
            node.raft().awaitMetrics(m -> m.role() == Role.LEADER, Duration.ofSeconds(30));
            final KvOutcome ok = keyed.put("k", "v".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
            assertInstanceOf(KvOutcome.Ok.class, ok, ok.describe());
            final long applied = node.metrics().appliedIndex();

            for (KvClient outsider : new KvClient[] {keyless, wrongKey}) {
                final KvOutcome refused = outsider.put("k", "forged".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(1500));
                // no leader ever answered this client, so no command was sent: definitely not applied
                assertInstanceOf(KvOutcome.Failed.class, refused, refused.describe());
            }
            final long unauthenticated = service.counters().get(ClientService.Counter.UNAUTHENTICATED);
            assertTrue(unauthenticated >= 2, "the outsiders' probes are counted: " + service.counters());
            assertEquals(applied, node.metrics().appliedIndex(), "nothing from the outsiders was applied");
            final KvOutcome read = keyed.get("k", Duration.ofSeconds(20));
            assertEquals("v", ((KvOutcome.Ok) read).result().valueText());
            assertEquals(KvResult.Status.OK, ((KvOutcome.Ok) read).result().status());

            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
            final IllegalArgumentException readable = assertThrows(IllegalArgumentException.class,
                () -> ClientAuthenticator.fromFile(keyFile));
            assertTrue(readable.getMessage().contains(keyFile + " has mode 0644 (rw-r--r--)"),
                readable.getMessage());
        } finally {
            Demo.deleteTree(dir);
        }
    }
}
