package dev.raft.storage.file.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log that purges behind its appends reuses the record index of the segments it deleted: rolling to a new segment
 * allocates no index array. Regression: each new segment allocated an int per record (4.3 B per 64 B message on
 * every node thread of the cluster benchmark, the last allocation on its hot path).
 */
class SegmentIndexReuseTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rollingAfterAPurgeReusesTheDeletedSegmentsIndex() {
        final int segmentBytes = 1 << 20;
        final FileStorageConfig config = FileStorageConfig.builder().segmentSizeBytes(segmentBytes)
            .durabilityMode(DurabilityMode.NO_FSYNC).preallocate(false).build();
        final EntryBatch batch = new EntryBatch(256);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        try (FileLogStore log = FileLogStore.open(dir, config)) {
            long next = 1;
            long before = 0;
            long rollsMeasured = 0;
            int segmentsSeen = log.segments().length;
            while (rollsMeasured < 20) {
                batch.clear();
                for (int i = 0; i < 256; i++) {
                    batch.add(1, next++, EntryType.NORMAL, payload, 0, payload.capacity());
                }
                log.append(batch, index -> { });
                final int segments = log.segments().length;
                if (segments > segmentsSeen && segments >= 2) { // rolled: keep the active segment and the one before
                    final long purgeTo = log.segments()[segments - 2].firstIndex() - 1;
                    if (purgeTo > 0) {
                        log.purgeUpTo(new LogId(1, purgeTo));
                    }
                    if (before != 0) {
                        rollsMeasured++;
                    } else if (log.segments()[0].firstIndex() > 1) { // a segment was deleted: reuse can start
                        before = threads.getThreadAllocatedBytes(thread);
                    }
                }
                segmentsSeen = log.segments().length;
            }
            final long perRoll = (threads.getThreadAllocatedBytes(thread) - before) / rollsMeasured;
            final int recordsPerSegment = log.segments()[0].count();
            assertTrue(recordsPerSegment > 20_000, "records per segment: " + recordsPerSegment);
            // a new index would be an int per record (~90 KB); what remains is opening the file (paths, channel)
            assertTrue(perRoll < 24 * 1024, "allocated " + perRoll + " bytes per segment rolled (" + recordsPerSegment
                + " records per segment)");
            assertEquals(next - 1, log.lastLogId().index());
        }
    }
}
