package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.transport.aeron.AeronDirectories;
import dev.raft.transport.aeron.AeronTransportConfig;
import io.aeron.CommonContext;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A child JVM starts a transport with an embedded driver and is killed with SIGKILL: its driver directory
 * stays behind; the next transport started on the host removes it, and leaves the directories of live
 * processes alone.
 */
class DriverDirectoryLeakTest {
    /** The child: starts a transport of node {@code args[1]} of cluster {@code args[0]}, prints its directory, waits to be killed. */
    public static void main(String[] args) throws Exception {
        final AeronTransportConfig config = AeronTransportConfig.builder().clusterId(Integer.parseInt(args[0]))
            .nodeId(Integer.parseInt(args[1])).endpoint(Integer.parseInt(args[1]), "127.0.0.1:" + LiveCluster.freeUdpPort())
            .maxParkMicros(1000).build();
        final AeronTransport transport = new AeronTransport(config);
        System.out.println("DIR " + config.aeronDirectory());
        System.out.flush();
        Thread.sleep(120_000); // killed long before; exits by itself if the test died
        transport.close();
    }

    private static Process child(int clusterId, int nodeId) throws Exception {
        final String path = System.getProperty("jdk.module.path", "") + File.pathSeparator + System.getProperty("java.class.path", "");
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx128m",
            "-cp", path, DriverDirectoryLeakTest.class.getName(), String.valueOf(clusterId), String.valueOf(nodeId)));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static Path awaitDirectory(Process child) throws Exception {
        final BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("DIR ")) {
                return Path.of(line.substring(4));
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child exited without starting its transport:\n" + seen);
    }

    @Test
    @Timeout(90)
    void aKilledNodesDriverDirectoryIsRemovedByTheNextStartAndLiveOnesAreKept() throws Exception {
        final Process killed = child(81, 1);
        final Process alive = child(81, 2);
        Path killedDir = null;
        Path aliveDir = null;
        try {
            killedDir = awaitDirectory(killed);
            aliveDir = awaitDirectory(alive);
            assertTrue(Files.isDirectory(killedDir) && Files.isDirectory(aliveDir));
            assertEquals(String.valueOf(killed.pid()), killedDir.getFileName().toString().replaceAll(".*-", ""));

            killed.destroyForcibly(); // SIGKILL: no shutdown hook, no driver close
            assertTrue(killed.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.isDirectory(killedDir), "kill -9 leaves the directory behind");
            final File dead = killedDir.toFile();
            LiveCluster.await(() -> !CommonContext.isDriverActive(dead, AeronDirectories.DEAD_DRIVER_MILLIS, s -> { }),
                "the killed driver's heartbeat to go stale");

            try (LiveCluster restarted = new LiveCluster(new int[] {1}, 1)) {
                assertFalse(Files.exists(killedDir), "the next transport started removed " + killedDir);
                assertTrue(Files.isDirectory(aliveDir), "the live process's directory is kept");
                assertTrue(Files.isDirectory(Path.of(restarted.get(1).aeron().context().aeronDirectoryName())));
            }
            assertTrue(alive.isAlive());
        } finally {
            killed.destroyForcibly();
            alive.destroyForcibly();
            alive.waitFor(30, TimeUnit.SECONDS);
            for (Path dir : new Path[] {killedDir, aliveDir}) {
                if (dir != null && Files.exists(dir)) {
                    IoUtil.delete(dir.toFile(), true);
                }
            }
        }
    }
}
