package dev.raft.transport.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AeronDirectories#findRunning}: a short-lived client shares the driver of a live raft process, never the
 * directory of a dead process or of a driver that stopped beating.
 */
class RunningDriverTest {
    private static MediaDriver launch(Path dir) {
        return MediaDriver.launchEmbedded(new MediaDriver.Context().aeronDirectoryName(dir.toString())
            .threadingMode(ThreadingMode.SHARED).termBufferSparseFile(true).dirDeleteOnStart(true)
            .dirDeleteOnShutdown(false));
    }

    @Test
    @Timeout(60)
    void findsOnlyALiveProcesssBeatingDriver(@TempDir Path parent) throws Exception {
        assertEquals(Optional.empty(), AeronDirectories.findRunning(parent), "nothing runs yet");

        final Process finished = new ProcessBuilder("true").start();
        assertTrue(finished.waitFor(30, TimeUnit.SECONDS));
        final Path deadOwner = parent.resolve("raft-aeron-c5-n1-" + finished.pid());
        final Path stopped = parent.resolve("raft-aeron-c5-n2-" + ProcessHandle.current().pid());
        final Path foreign = parent.resolve("aeron-someone-else");
        final Path running = parent.resolve("raft-aeron-c5-n3-" + ProcessHandle.current().pid());
        try (MediaDriver dead = launch(deadOwner); MediaDriver foreignDriver = launch(foreign)) {
            // a driver in the directory of a process that is gone (pid reuse aside) and one not named by a raft process
            assertTrue(CommonContext.isDriverActive(dead.context().aeronDirectory(), 1000, s -> { })
                && CommonContext.isDriverActive(foreignDriver.context().aeronDirectory(), 1000, s -> { }));
            assertEquals(Optional.empty(), AeronDirectories.findRunning(parent), "a dead owner's or a foreign driver");
        }
        launch(stopped).close(); // its files stay (dirDeleteOnShutdown false); its heartbeat goes stale
        Thread.sleep(AeronDirectories.DEAD_DRIVER_MILLIS + 200);
        assertTrue(Files.exists(stopped.resolve("cnc.dat")));
        assertEquals(Optional.empty(), AeronDirectories.findRunning(parent), "a stopped driver");

        try (MediaDriver live = launch(running)) {
            assertEquals(Optional.of(running), AeronDirectories.findRunning(parent));
            assertEquals(running.toString(), live.aeronDirectoryName());
        } finally {
            for (Path dir : new Path[] {deadOwner, stopped, foreign, running}) {
                IoUtil.delete(dir.toFile(), true);
            }
        }
    }
}
