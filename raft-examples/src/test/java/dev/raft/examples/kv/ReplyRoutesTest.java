package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A new client's reply publication is asked of the media driver without waiting for it: the node thread, which
 * answers clients, must never block on the driver (before, {@code addExclusivePublication} waited for the driver's
 * answer, up to the driver timeout if the driver stalled, and the node stopped heartbeating meanwhile).
 */
class ReplyRoutesTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aNewClientsPublicationIsAskedOfTheDriverWithoutWaitingForIt() throws Exception {
        final AtomicBoolean driverRuns = new AtomicBoolean(true);
        final AtomicBoolean done = new AtomicBoolean();
        final MediaDriver driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(CommonContext.generateRandomDirName()).threadingMode(ThreadingMode.INVOKER)
            .termBufferSparseFile(true).dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        final Thread duty = new Thread(() -> { // the driver works only while this thread lets it
            while (!done.get()) {
                if (driverRuns.get()) {
                    driver.sharedAgentInvoker().invoke();
                }
                Thread.onSpinWait();
            }
        }, "driver-duty");
        duty.setDaemon(true);
        duty.start();
        Aeron aeron = null;
        ReplyRoutes routes = null;
        try {
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            routes = new ReplyRoutes(aeron);
            final ReplyRoutes.Route route = routes.route(dev.raft.examples.TestPorts.loopback(1).get(1));

            driverRuns.set(false); // a stalled driver
            final long start = System.nanoTime();
            assertNull(routes.publication(route), "not added yet");
            assertNull(routes.publication(route), "still not added: asked once, not waited for");
            final long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis < 1000, "the caller waited " + waitedMillis + " ms for a stalled driver");

            driverRuns.set(true);
            ExclusivePublication publication = null;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (publication == null && System.nanoTime() - deadline < 0) {
                publication = routes.publication(route);
                Thread.sleep(1);
            }
            assertNotNull(publication, "added once the driver runs");
            assertSame(publication, routes.publication(route), "one publication per route");
        } finally {
            CloseHelper.quietClose(routes);
            CloseHelper.quietClose(aeron);
            done.set(true);
            duty.join(10_000);
            CloseHelper.quietClose(driver);
        }
    }
}
