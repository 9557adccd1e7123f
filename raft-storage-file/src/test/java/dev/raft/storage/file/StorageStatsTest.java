package dev.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.storage.LogStore;
import dev.raft.storage.file.internal.log.LogFixtures;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageStatsTest {
    @TempDir
    Path dir;

    private StorageStats.Snapshot appendAndMeasure(FileStorageConfig config, int batches) {
        final StorageStats stats = new StorageStats();
        try (LogStore log = FileStores.openLogStore(dir, config, stats)) {
            final LogFixtures.Recorder rec = new LogFixtures.Recorder();
            for (int b = 0; b < batches; b++) {
                log.append(LogFixtures.batch(b * 10L + 1, b * 10L + 10, 1), rec);
                rec.await(b * 10L + 10); // one batch at a time: each is forced on its own
            }
        }
        return stats.snapshot();
    }

    @Test
    void everyForceRoundIsTimed() {
        final StorageStats.Snapshot s = appendAndMeasure(LogFixtures.small(), 20);
        assertTrue(s.count() >= 20, "one force round per awaited batch at least: " + s.count());
        assertTrue(s.totalNanos() > 0);
        final long p50 = s.valueAtPercentileNanos(50);
        assertTrue(p50 > 0 && p50 <= s.maxNanos(), p50 + " vs max " + s.maxNanos());
        assertEquals(s.count(), s.countAtOrBelow(TimeUnit.SECONDS.toNanos(60)));
        assertTrue(s.countAtOrBelow(0) == 0);
    }

    @Test
    void nothingIsForcedWithoutFsync() {
        final StorageStats.Snapshot s = appendAndMeasure(LogFixtures.smallNoFsync(), 5);
        assertEquals(0, s.count());
        assertEquals(0, s.totalNanos());
    }

    @Test
    void snapshotsAreCumulative() {
        final StorageStats stats = new StorageStats();
        stats.recordForce(TimeUnit.MILLISECONDS.toNanos(2));
        assertEquals(1, stats.snapshot().count());
        stats.recordForce(TimeUnit.MINUTES.toNanos(5)); // beyond the range: counts as the highest value
        final StorageStats.Snapshot s = stats.snapshot();
        assertEquals(2, s.count());
        assertEquals(1, s.countAtOrBelow(TimeUnit.MILLISECONDS.toNanos(3)));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2) + TimeUnit.SECONDS.toNanos(60), s.totalNanos());
    }
}
