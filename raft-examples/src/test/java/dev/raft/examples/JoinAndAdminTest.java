package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.config.ServerSettings;
import dev.raft.examples.config.SettingsException;
import dev.raft.examples.kv.AdminRequests;
import dev.raft.examples.kv.ClientAuthenticator;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import io.aeron.Aeron;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code raftkv server --join} starts a node that never elects itself (it waits to be added); admin requests are
 * served only to clients holding the client key when the servers have one, and answer with the configuration; the
 * admin command line rejects bad flags with exit 2 and a cluster it cannot reach with exit 4 and one line.
 */
class JoinAndAdminTest {
    private static ServerSettings settings(int id, Map<Integer, String> endpoints, Path dir) {
        final ServerSettings s = ServerSettings.defaults();
        s.set(ServerSettings.NODE_ID, Integer.toString(id), "test");
        s.set(ServerSettings.PEERS, endpoints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(",")), "test");
        s.set(ServerSettings.DATA_DIR, dir.toString(), "test");
        return s;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aJoiningNodeNeverElectsItself() throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-join-");
        final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(2);
        try {
            final ServerPlan plan = ServerPlan.of(settings(2, endpoints, dir.resolve("node-2")), true);
            try (KvNode node = KvNode.start(plan.options())) {
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3); // ten election timeouts
                while (System.nanoTime() - until < 0) {
                    assertNotEquals(Role.LEADER, node.metrics().role());
                    assertNotEquals(Role.CANDIDATE, node.metrics().role());
                    Thread.sleep(5);
                }
                assertEquals(0, node.metrics().term(), "it never campaigned");
                assertTrue(node.metrics().membership().isLearner(2), node.metrics().membership().toString());
            }
            final SettingsException alone = org.junit.jupiter.api.Assertions.assertThrows(SettingsException.class,
                () -> ServerPlan.of(settings(1, Map.of(1, endpoints.get(1)), dir.resolve("node-1")), true));
            assertTrue(alone.getMessage().contains("--join needs --peers to name at least one node"), alone.getMessage());
        } finally {
            Demo.deleteTree(dir);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void adminRequestsNeedTheClientKeyAndAnswerWithTheConfiguration() throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-admin-");
        final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(2);
        final Path keyFile = dir.resolve("client.key");
        KeyFile.write(keyFile, MacKeys.of(KeyFile.randomKey()));
        final Map<Integer, String> one = Map.of(1, endpoints.get(1));
        final KvNode.Options options = new KvNode.Options(1, 1, one, dir.resolve("node"), dir.resolve("aeron").toString(),
            dev.raft.storage.file.DurabilityMode.NO_FSYNC, null);
        try (KvNode node = KvNode.start(options);
             ClientService service = new ClientService(node, ClientProtocol.clientEndpoint(one.get(1)),
                 ClientService.Settings.withKeyFile(keyFile)).start();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory()));
             KvClient keyless = KvClient.builder(one).aeron(aeron).build();
             KvClient keyed = KvClient.builder(one).aeron(aeron).authenticator(ClientAuthenticator.fromFile(keyFile))
                 .suspectAfter(Duration.ofSeconds(5)).build()) {
            node.raft().awaitMetrics(m -> m.role() == Role.LEADER, Duration.ofSeconds(30));
            final byte[] members = AdminRequests.request(AdminRequests.Op.MEMBERS, 0, -1, null);
            assertInstanceOf(KvOutcome.Failed.class, keyless.admin(members, true, Duration.ofMillis(1500)));
            final byte[] addLearner = AdminRequests.request(AdminRequests.Op.ADD_LEARNER, 2, -1, endpoints.get(2));
            assertInstanceOf(KvOutcome.Failed.class, keyless.admin(addLearner, false, Duration.ofMillis(1500)));
            assertEquals(1, node.metrics().membership().size(), "nothing changed for the keyless client");
            assertTrue(service.counter(ClientService.Counter.UNAUTHENTICATED) >= 2, service.counters().toString());

            final KvOutcome added = keyed.admin(addLearner, false, Duration.ofSeconds(20));
            final AdminRequests.Result result = AdminRequests.decodeResult(
                assertInstanceOf(KvOutcome.Ok.class, added, added.describe()).result().value());
            assertEquals("voters [1], learners [2], endpoints 1=" + endpoints.get(1) + ",2=" + endpoints.get(2),
                result.describe().substring(result.describe().indexOf(": ") + 2));
            assertTrue(result.configIndex() > 0, "the learner's configuration entry: " + result);

            final KvOutcome refused = keyed.admin(AdminRequests.request(AdminRequests.Op.PROMOTE, 3, -1, null), false,
                Duration.ofSeconds(20));
            final KvOutcome.Failed failed = assertInstanceOf(KvOutcome.Failed.class, refused, refused.describe());
            assertTrue(failed.message().contains("node 3 is not a learner"), failed.message());
            assertEquals(2, service.counter(ClientService.Counter.ADMIN_REQUESTS));
        } finally {
            Demo.deleteTree(dir);
        }
    }
}
