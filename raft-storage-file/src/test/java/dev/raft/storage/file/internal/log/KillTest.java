package dev.raft.storage.file.internal.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Entry;
import dev.raft.storage.file.FileStorageConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends and prints the indexes reported durable; it is killed (SIGKILL) at a random moment;
 * after reopening, every acknowledged entry must be present, and the log must be a valid prefix.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KillTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    private static String classPath() {
        final Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {KillChild.class, FileLogStore.class, dev.raft.api.LogId.class,
            org.agrona.DirectBuffer.class, org.slf4j.Logger.class}) {
            entries.add(Path.of(toUri(c)).toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static java.net.URI toUri(Class<?> c) {
        try {
            return c.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    @Test
    void aDirectoryHeldByAnotherProcessIsRefused() throws Exception {
        final Process child = new ProcessBuilder(javaExecutable(), "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Xmx128m", "-cp", classPath(), KillChild.class.getName(), dir.toString(), "1", "1")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            final String first = in.readLine();
            assertTrue(first != null && first.startsWith("READY"), "child did not start: " + first);
            final dev.raft.api.error.StorageException e = org.junit.jupiter.api.Assertions.assertThrows(
                dev.raft.api.error.StorageException.class, () -> FileLogStore.open(dir, LogFixtures.small()));
            assertTrue(e.getMessage().contains("locked by another process") && e.getMessage().contains(dir.toString()),
                e.getMessage());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void everyAcknowledgedEntrySurvivesKillDashNine() throws Exception {
        final Random random = new Random();
        final long seed = random.nextLong();
        final Random rounds = new Random(seed);
        long expectedAtLeast = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            final List<String> cmd = new ArrayList<>(List.of(javaExecutable(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx128m",
                "-cp", classPath(), KillChild.class.getName(), dir.toString(), Integer.toString(round),
                Long.toString(rounds.nextLong())));
            final Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final AtomicLong acked = new AtomicLong();
            final AtomicLong recovered = new AtomicLong(-1);
            final CountDownLatch ready = new CountDownLatch(1);
            final Thread pump = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("READY ")) {
                            recovered.set(Long.parseLong(line.substring(6)));
                            ready.countDown();
                        } else if (line.startsWith("ACK ")) {
                            acked.set(Long.parseLong(line.substring(4)));
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child died
                }
            });
            pump.start();
            try {
                assertTrue(ready.await(30, TimeUnit.SECONDS), "child did not start (seed " + seed + ")");
                assertTrue(recovered.get() >= expectedAtLeast, "round " + round + ": reopened at " + recovered.get()
                    + " but " + expectedAtLeast + " were acknowledged before (seed " + seed + ")");
                // kill at a random moment after the first acknowledgement (a loaded machine may take long to get there)
                final long firstAckDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (acked.get() == 0 && child.isAlive() && System.nanoTime() - firstAckDeadline < 0) {
                    Thread.sleep(5);
                }
                Thread.sleep(rounds.nextInt(700));
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                pump.join(10_000);
            }
            final long ack = acked.get();
            assertTrue(ack > 0, "round " + round + ": no acknowledgement before the kill (seed " + seed + ")");
            try (FileLogStore log = FileLogStore.open(dir, FileStorageConfig.builder().segmentSizeBytes(64 * 1024)
                .writeBufferBytes(16 * 1024).build())) {
                final long last = log.lastLogId().index();
                assertTrue(last >= ack, "round " + round + ": acknowledged " + ack + " but only " + last
                    + " survived (seed " + seed + ")");
                long prevTerm = 0;
                long index = 1;
                for (Entry e : LogFixtures.readAll(log, 1, last)) {
                    assertEquals(index++, e.index());
                    assertArrayEquals(Payloads.of(e.index()), e.data(), "payload of " + e.index() + " (seed " + seed + ")");
                    assertTrue(e.term() >= prevTerm);
                    prevTerm = e.term();
                }
                expectedAtLeast = last;
                System.out.println("kill round " + round + ": acknowledged " + ack + ", recovered " + last + " (seed " + seed + ")");
            }
        }
    }
}
