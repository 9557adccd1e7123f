package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client on an external media driver that stops (as a server's driver does when the node fails) must not exit the
 * JVM. Aeron's default error handler does (status 255 and a banner): the fault soak's disk-full round saw a failing
 * server exit so, without its one line, because its client service used that handler. With the default handler this
 * test's JVM dies (surefire reports the fork crashing).
 */
class DriverStopTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aClientWhoseDriverStopsLogsAndKeepsTheJvmAlive() throws Exception {
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final KvClient client;
        try {
            client = KvClient.builder(Map.of(1, "127.0.0.1:29997")) // nothing listens there: no server is needed
                .aeronDirectory(driver.aeronDirectoryName())
                .build();
        } catch (RuntimeException e) {
            driver.close();
            throw e;
        }
        final long closedAt = System.nanoTime();
        driver.close(); // the client's conductor finds its driver gone within a few milliseconds and closes itself
        Thread.sleep(2_000);
        // with Aeron's default handler the JVM has exited by now and this line is never reached
        assertTrue(System.nanoTime() - closedAt >= TimeUnit.SECONDS.toNanos(2), "the JVM outlived its client's driver");
        client.close();
    }
}
