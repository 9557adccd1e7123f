package dev.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.raft.api.LogId;
import dev.raft.api.error.InvalidConfigException;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageModuleTest {
    @TempDir
    Path dir;

    @Test
    void bindsBothStoresAsSingletons() {
        final Injector injector = Guice.createInjector(new FileStorageModule(dir, FileStorageConfig.builder()
            .segmentSizeBytes(64 * 1024).build()));
        try (LogStore log = injector.getInstance(LogStore.class);
             SnapshotStore snapshots = injector.getInstance(SnapshotStore.class)) {
            assertSame(log, injector.getInstance(LogStore.class));
            assertSame(snapshots, injector.getInstance(SnapshotStore.class));
            assertEquals(LogId.NONE, log.lastLogId());
            assertTrue(snapshots.current().isEmpty());
            assertTrue(Files.isDirectory(dir.resolve(FileStores.LOG_DIR)));
            assertTrue(Files.isDirectory(dir.resolve(FileStores.SNAPSHOT_DIR)));
        }
    }

    @Test
    void configDefaultsAndValidationNameTheField() {
        final FileStorageConfig d = FileStorageConfig.defaults();
        assertEquals(64 * 1024 * 1024, d.segmentSizeBytes());
        assertEquals(DurabilityMode.FSYNC, d.durabilityMode());
        assertTrue(d.preallocate());
        assertEquals(d.toString(), d.toBuilder().build().toString());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
            () -> FileStorageConfig.builder().segmentSizeBytes(100).build());
        assertEquals("FileStorageConfig.segmentSizeBytes", e.field());
        assertTrue(e.getMessage().contains("100") && e.getMessage().contains("4096..1073741824"), e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> FileStorageConfig.builder().writeBufferBytes(1 << 30).build());
        assertEquals("FileStorageConfig.writeBufferBytes", e.field());
        e = assertThrows(InvalidConfigException.class, () -> FileStorageConfig.builder().readBufferBytes(1).build());
        assertEquals("FileStorageConfig.readBufferBytes", e.field());
        e = assertThrows(InvalidConfigException.class, () -> FileStorageConfig.builder().durabilityMode(null).build());
        assertEquals("FileStorageConfig.durabilityMode", e.field());
    }
}
