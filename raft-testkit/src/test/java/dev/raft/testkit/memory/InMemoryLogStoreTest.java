package dev.raft.testkit.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.Vote;
import dev.raft.api.storage.LogStore;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviour specific to the in-memory stores: flush modes, crash simulation, fault injection, Guice. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InMemoryLogStoreTest {
    private final List<Long> flushed = new CopyOnWriteArrayList<>();

    private static EntryBatch batch(long term, long from, long to) {
        final EntryBatch b = new EntryBatch(64);
        for (long i = from; i <= to; i++) {
            b.add(term, i, EntryType.NORMAL, new byte[] {(byte) i});
        }
        return b;
    }

    @Test
    void manualModeHoldsFlushUntilToldAndCrashLosesUnflushed() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemoryLogStore log = disk.openLogStore(FlushMode.MANUAL);
        log.append(batch(1, 1, 3), flushed::add);
        log.append(batch(1, 4, 5), flushed::add);
        assertEquals(List.of(), flushed);
        assertTrue(log.hasUnflushed());
        log.flushUpTo(3);
        assertEquals(List.of(3L), flushed);
        log.append(batch(2, 6, 6), flushed::add);
        assertEquals(LogId.of(2, 6), log.lastLogId());
        log.flush();
        assertEquals(List.of(3L, 5L, 6L), flushed, "one report per append of a distinct callback object");
        org.junit.jupiter.api.Assertions.assertFalse(log.hasUnflushed());
        log.append(batch(2, 7, 7), flushed::add);
        disk.crash();
        assertThrows(IllegalStateException.class, log::lastLogId);
        final InMemoryLogStore reopened = disk.openLogStore(FlushMode.MANUAL);
        assertEquals(LogId.of(2, 6), reopened.lastLogId());
        assertEquals(6, reopened.durableIndex());
    }

    @Test
    void crashMayKeepSomeUnflushedEntries() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemoryLogStore log = disk.openLogStore(FlushMode.MANUAL);
        log.append(batch(1, 1, 5), flushed::add);
        log.crash(2);
        assertEquals(LogId.of(1, 2), disk.openLogStore(FlushMode.MANUAL).lastLogId());
        assertEquals(List.of(), flushed);
    }

    @Test
    void groupsRunsOfOneCallbackIntoOneReport() {
        final InMemoryLogStore log = new InMemoryDisk().openLogStore(FlushMode.MANUAL);
        log.append(batch(1, 1, 1), flushed::add);
        log.append(batch(1, 2, 2), flushed::add);
        final List<Long> other = new CopyOnWriteArrayList<>();
        log.append(batch(1, 3, 3), other::add);
        log.flush();
        assertEquals(List.of(1L, 2L), flushed, "distinct callback objects (method references) are reported one by one");
        assertEquals(List.of(3L), other);
    }

    @Test
    void truncateCapsAStraddlingPendingAppendAndDropsLaterOnes() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemoryLogStore log = disk.openLogStore(FlushMode.MANUAL);
        log.append(batch(1, 1, 4), flushed::add);
        log.append(batch(1, 5, 6), flushed::add);
        log.flushUpTo(2);
        log.truncateFrom(3);
        log.flush();
        assertEquals(List.of(2L), flushed);
        log.append(batch(2, 3, 3), flushed::add);
        log.flush();
        assertEquals(List.of(2L, 3L), flushed);
        log.crash();
        assertEquals(LogId.of(2, 3), disk.openLogStore(FlushMode.MANUAL).lastLogId());
    }

    @Test
    void purgeBeyondTheFlushedPointIsDurable() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemoryLogStore log = disk.openLogStore(FlushMode.MANUAL);
        log.append(batch(1, 1, 5), flushed::add);
        log.purgeUpTo(LogId.of(1, 3));
        log.crash();
        final InMemoryLogStore reopened = disk.openLogStore(FlushMode.MANUAL);
        assertEquals(LogId.of(1, 3), reopened.lastPurgedLogId());
        assertEquals(LogId.of(1, 3), reopened.lastLogId());
    }

    @Test
    void backgroundModeReportsFromAnotherThread() throws InterruptedException {
        final InMemoryLogStore log = new InMemoryDisk().openLogStore(FlushMode.BACKGROUND);
        final List<String> threads = new CopyOnWriteArrayList<>();
        log.append(batch(1, 1, 2), index -> {
            threads.add(Thread.currentThread().getName());
            flushed.add(index);
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (flushed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(List.of(2L), flushed);
        assertEquals(List.of("in-memory-log-flusher"), threads);
        log.close();
    }

    @Test
    void oneOpenStorePerDisk() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemoryLogStore log = disk.openLogStore(FlushMode.IMMEDIATE);
        assertThrows(IllegalStateException.class, () -> disk.openLogStore(FlushMode.IMMEDIATE));
        log.saveVote(new Vote(3, 1));
        log.close();
        assertEquals(new Vote(3, 1), disk.openLogStore(FlushMode.IMMEDIATE).readVote());
    }

    @Test
    void snapshotFaultInjectionAndCrash() {
        final InMemoryDisk disk = new InMemoryDisk();
        final InMemorySnapshotStore store = disk.openSnapshotStore();
        final SnapshotMeta meta = new SnapshotMeta("s1", LogId.of(1, 5), Membership.of(1));
        final SnapshotSink sink = store.begin(meta);
        store.failNextWrite();
        assertThrows(dev.raft.api.error.StorageException.class, () -> sink.write(0, ByteBuffer.wrap(new byte[] {1, 2})));
        sink.write(0, ByteBuffer.wrap(new byte[] {1, 2}));
        store.failNextFinish();
        assertThrows(dev.raft.api.error.StorageException.class, sink::finish);
        try (SnapshotReader reader = sink.finish()) {
            assertEquals(2, reader.size());
        }
        final SnapshotSink unfinished = store.begin(new SnapshotMeta("s2", LogId.of(1, 9), Membership.of(1)));
        unfinished.write(0, ByteBuffer.wrap(new byte[] {9}));
        disk.crash();
        assertThrows(IllegalStateException.class, unfinished::finish);
        assertEquals(meta, disk.openSnapshotStore().current().orElseThrow().meta());
    }

    @Test
    void guiceModuleBindsStoresOnTheDisk() {
        final InMemoryDisk disk = new InMemoryDisk();
        final Injector injector = Guice.createInjector(new InMemoryStorageModule(disk, FlushMode.MANUAL));
        final LogStore log = injector.getInstance(LogStore.class);
        assertSame(log, injector.getInstance(InMemoryLogStore.class));
        assertSame(disk, injector.getInstance(InMemoryDisk.class));
        final SnapshotStore snapshots = injector.getInstance(SnapshotStore.class);
        assertTrue(snapshots.current().isEmpty());
        assertEquals(FlushMode.MANUAL, ((InMemoryLogStore) log).flushMode());
    }
}
