package dev.raft.storage.file.internal.log;

import static dev.raft.storage.file.internal.log.LogFixtures.batch;
import static dev.raft.storage.file.internal.log.LogFixtures.small;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.error.StorageException;
import dev.raft.api.storage.FlushCallback;
import dev.raft.testkit.conformance.FaultInjectingFileSystem;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A force that fails on the flusher thread is reported through {@link FlushCallback#onFailed}, so an idle node
 * stops at once (fail-stop) instead of learning of the failure only from its next call into the store.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlushFailureTest {
    @TempDir
    Path dir;

    @Test
    void aFailedForceIsReportedToTheCallbackOwedAReport() throws Exception {
        final FaultInjectingFileSystem fs = FaultInjectingFileSystem.create();
        final CompletableFuture<StorageException> failed = new CompletableFuture<>();
        final AtomicInteger failures = new AtomicInteger();
        final CompletableFuture<Long> firstFlushed = new CompletableFuture<>();
        final FlushCallback callback = new FlushCallback() {
            @Override
            public void onFlushed(long flushedIndex) {
                firstFlushed.complete(flushedIndex);
            }

            @Override
            public void onFailed(StorageException error) {
                failures.incrementAndGet();
                failed.complete(error);
            }
        };
        // no background spare segment: the only force after open is the flusher's
        try (FileLogStore log = FileLogStore.open(fs.wrap(dir), small().toBuilder().preallocate(false).build())) {
            log.append(batch(1, 1, 1), callback);   // creates the segment (forced) and flushes once
            assertEquals(1L, firstFlushed.get(30, TimeUnit.SECONDS));
            fs.failNextForce();
            log.append(batch(2, 5, 1), callback);
            final StorageException error = failed.get(30, TimeUnit.SECONDS);
            assertNotNull(error);
            assertTrue(error.isFatal(), "a failed force is fatal: " + error);
            assertTrue(error.getMessage().contains("force of"), error.getMessage());
            assertEquals(1, failures.get(), "told once");
        }
    }
}
