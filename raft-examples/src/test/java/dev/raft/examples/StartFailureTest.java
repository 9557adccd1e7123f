package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.kv.KvNode;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.AeronTransports;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A start that fails (here: the Raft port is taken) leaves no thread that would keep the JVM alive and no lock on
 * the data directory: a program that throws can simply return from main, and a retry on the same directory works.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StartFailureTest {
    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon()).collect(Collectors.toSet());
    }

    private static void assertNoNewNonDaemonThreads(Set<Thread> before) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        List<String> added;
        do {
            final Set<Thread> now = nonDaemonThreads();
            now.removeAll(before);
            added = now.stream().map(Thread::getName).sorted().toList();
            if (added.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        assertEquals(List.of(), added, "threads that would keep the JVM alive after a failed start");
    }

    @Test
    void aFailedTransportStartLeavesNoThreadBehind(@TempDir Path dir) throws Exception {
        final String endpoint = Demo.freeLoopbackEndpoints(1).get(1);
        final String[] hostPort = endpoint.split(":");
        final Set<Thread> before = nonDaemonThreads();
        try (DatagramSocket taken = new DatagramSocket(Integer.parseInt(hostPort[1]), InetAddress.getByName(hostPort[0]))) {
            assertThrows(RuntimeException.class, () -> AeronTransports.start(AeronTransportConfig.builder().nodeId(1)
                .endpoint(1, endpoint).aeronDirectory(dir.resolve("aeron").toString()).build()));
            assertTrue(taken.isBound());
        }
        assertNoNewNonDaemonThreads(before);
    }

    @Test
    void aFailedNodeStartReleasesItsDirectoryAndThreads(@TempDir Path dir) throws Exception {
        final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(1);
        final String[] hostPort = endpoints.get(1).split(":");
        final Path data = dir.resolve("node");
        final Set<Thread> before = nonDaemonThreads();
        try (DatagramSocket taken = new DatagramSocket(Integer.parseInt(hostPort[1]), InetAddress.getByName(hostPort[0]))) {
            assertThrows(RuntimeException.class, () -> KvNode.start(new KvNode.Options(1, 1, endpoints, data,
                dir.resolve("aeron-1").toString(), DurabilityMode.FSYNC, null)));
            assertTrue(taken.isBound());
        }
        assertNoNewNonDaemonThreads(before);
        try (KvNode node = KvNode.start(new KvNode.Options(1, 1, endpoints, data, dir.resolve("aeron-2").toString(),
            DurabilityMode.FSYNC, null))) {
            assertEquals(1, node.id());
        }
        assertTrue(Files.exists(data.resolve(KvNode.IDENTITY_FILE)));
    }
}
