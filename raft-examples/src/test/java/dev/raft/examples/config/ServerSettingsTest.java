package dev.raft.examples.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.config.RaftConfig;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.transport.aeron.AeronTransportConfig;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {
    /** Every getter of the three config classes has a key (so a new field cannot be forgotten). */
    @Test
    void everyFieldOfTheThreeConfigClassesHasAKey() {
        final Set<String> keys = new HashSet<>();
        ServerSettings.defaults().keys().forEach(keys::add);
        assertKeys(keys, "raft.", RaftConfig.class, Set.of("nodeId", "initialMembership"));
        assertKeys(keys, "storage.", FileStorageConfig.class, Set.of("maxEntryBytes"));
        assertKeys(keys, "transport.", AeronTransportConfig.class,
            Set.of("clusterId", "nodeId", "endpoints", "maxMessageLength", "subscriptionChannel", "authenticated"));
        assertTrue(keys.containsAll(Set.of("node.id", "cluster.id", "peers", "data.dir", "metrics.port", "log.level")));
    }

    private static void assertKeys(Set<String> keys, String prefix, Class<?> type, Set<String> notSettings) {
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                && !Set.of("toString", "hashCode", "toBuilder").contains(m.getName()) && !notSettings.contains(m.getName())) {
                assertTrue(keys.contains(prefix + m.getName()), "a key for " + type.getSimpleName() + "." + m.getName());
            }
        }
    }

    @Test
    void defaultsThenFileThenFlagsBuildTheConfigs(@TempDir Path dir) throws IOException {
        final Path file = dir.resolve("raftkv.properties");
        Files.writeString(file, "raft.electionTimeoutMinMillis=1000\nraft.electionTimeoutMaxMillis=2000\n"
            + "raft.heartbeatIntervalMillis=100\nstorage.segmentSizeBytes=64MiB\ntransport.mtu=8192\n");
        final ServerSettings s = ServerSettings.defaults().load(file).set("raft.heartbeatIntervalMillis", "200", "flag --heartbeat-ms");
        final RaftConfig raft = s.raftConfig(1, Membership.of(1, 2, 3));
        assertEquals(1000, raft.electionTimeoutMinMillis());
        assertEquals(2000, raft.electionTimeoutMaxMillis());
        assertEquals(200, raft.heartbeatIntervalMillis());
        assertEquals("flag --heartbeat-ms", s.source("raft.heartbeatIntervalMillis"));
        assertEquals("config file " + file, s.source("storage.segmentSizeBytes"));
        assertEquals("default", s.source("raft.preVote"));
        assertEquals(64 << 20, s.storageConfig().segmentSizeBytes());
        assertEquals(8192, s.transportConfig(1, 1, Map.of(1, "127.0.0.1:9000")).mtu());
    }

    @Test
    void theServerDefaultsAreSizedForADeveloperMachine() {
        assertEquals(4 << 20, ServerSettings.defaults().storageConfig().segmentSizeBytes());
    }

    @Test
    void badValuesNameTheKeyTheValueAndTheSource() {
        final ServerSettings s = ServerSettings.defaults().set("raft.preVote", "yes", "flag --set");
        assertEquals("invalid setting raft.preVote = 'yes' (from flag --set): allowed true or false",
            assertThrows(SettingsException.class, () -> s.raftConfig(1, Membership.of(1))).getMessage());
        final ServerSettings t = ServerSettings.defaults().set("storage.segmentSizeBytes", "1k", "flag --segment-size");
        assertTrue(assertThrows(SettingsException.class, t::storageConfig).getMessage()
            .startsWith("invalid setting storage.segmentSizeBytes (from flag --segment-size): FileStorageConfig.segmentSizeBytes = 1024"));
        assertEquals("unknown setting 'raft.nope' in flag --set (raftkv info lists every key)",
            assertThrows(SettingsException.class, () -> ServerSettings.defaults().set("raft.nope", "1", "flag --set")).getMessage());
    }

    @Test
    void sizesTakeBinarySuffixes() {
        assertEquals(4096, Sizes.parse("4096"));
        assertEquals(64 * 1024, Sizes.parse("64KiB"));
        assertEquals(4L << 20, Sizes.parse("4MiB"));
        assertEquals(1L << 30, Sizes.parse("1g"));
        assertThrows(NumberFormatException.class, () -> Sizes.parse("lots"));
    }
}
