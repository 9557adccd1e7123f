package dev.raft.storage.file.internal.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.CorruptStorageException;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {
    @TempDir
    Path dir;

    private static SnapshotMeta meta(String id, long term, long index) {
        return new SnapshotMeta(id, LogId.of(term, index), Membership.joint(new int[] {1, 2, 3}, new int[] {2, 3, 4}));
    }

    private static byte[] data(int size, long seed) {
        final byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readAll(SnapshotReader r) throws IOException {
        try (InputStream in = r.openStream()) {
            return in.readAllBytes();
        }
    }

    private static void finish(FileSnapshotStore store, SnapshotMeta meta, byte[] bytes) {
        final SnapshotSink sink = store.begin(meta);
        sink.write(0, ByteBuffer.wrap(bytes));
        sink.finish().close();
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void emptyStoreHasNoCurrent() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertTrue(store.current().isEmpty());
        }
    }

    @Test
    void chunksOutOfOrderAndRepeatedThenFinishAndReopen() throws IOException {
        final byte[] bytes = data(10_000, 1);
        final SnapshotMeta meta = meta("s1", 2, 50);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink sink = store.begin(meta);
            sink.write(4000, ByteBuffer.wrap(bytes, 4000, 6000));
            assertEquals(0, sink.contiguousBytes());
            sink.write(0, ByteBuffer.wrap(bytes, 0, 2000));
            assertEquals(2000, sink.contiguousBytes());
            sink.write(0, ByteBuffer.wrap(bytes, 0, 2000));
            final ByteBuffer chunk = ByteBuffer.wrap(bytes, 2000, 2000);
            sink.write(2000, chunk);
            assertFalse(chunk.hasRemaining(), "the chunk is consumed");
            assertEquals(10_000, sink.contiguousBytes());
            assertTrue(store.current().isEmpty(), "invisible until finished");
            try (SnapshotReader r = sink.finish()) {
                assertEquals(meta, r.meta());
                assertEquals(10_000, r.size());
                assertArrayEquals(bytes, readAll(r));
            }
            assertThrows(IllegalStateException.class, () -> sink.write(0, ByteBuffer.allocate(1)));
            assertThrows(IllegalStateException.class, sink::finish);
            sink.abort();
        }
        try (FileSnapshotStore store = FileSnapshotStore.open(dir); SnapshotReader r = store.current().orElseThrow()) {
            assertEquals(meta, r.meta());
            assertArrayEquals(bytes, readAll(r));
            final ByteBuffer dst = ByteBuffer.allocate(100);
            assertEquals(100, r.read(9950 - 50, dst));
            dst.clear();
            assertEquals(50, r.read(9950, dst));
            assertEquals(-1, r.read(10_000, dst));
        }
    }

    @Test
    void aGapRefusesToFinish() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink sink = store.begin(meta("s1", 1, 1));
            sink.write(0, ByteBuffer.allocate(10));
            sink.write(20, ByteBuffer.allocate(10));
            final IllegalStateException e = assertThrows(IllegalStateException.class, sink::finish);
            assertTrue(e.getMessage().contains("[10, 20)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> sink.write(-1, ByteBuffer.allocate(1)));
            sink.write(10, ByteBuffer.allocate(10));
            sink.finish().close();
        }
    }

    @Test
    void newerReplacesOlderAndOldFileIsRemovedOnlyAfter() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink a = store.begin(meta("a", 1, 10));
            a.write(0, ByteBuffer.wrap(data(100, 2)));
            final SnapshotReader ra = a.finish();
            finish(store, meta("b", 1, 20), data(200, 3));
            assertEquals("b", store.current().orElseThrow().meta().snapshotId());
            // a reader of the replaced snapshot still reads it
            assertArrayEquals(data(100, 2), readAll(ra));
            ra.close();
            assertEquals(1, files().stream().filter(n -> n.endsWith(".snap")).count());
        }
    }

    @Test
    void anOlderSnapshotFinishingLastIsDiscarded() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final SnapshotSink older = store.begin(meta("old", 1, 10));
            final SnapshotSink newer = store.begin(meta("new", 2, 30));
            older.write(0, ByteBuffer.allocate(5));
            newer.write(0, ByteBuffer.allocate(5));
            newer.finish().close();
            final IllegalStateException e = assertThrows(IllegalStateException.class, older::finish);
            assertTrue(e.getMessage().contains("older"), e.getMessage());
            assertEquals("new", store.current().orElseThrow().meta().snapshotId());
        }
    }

    @Test
    void crashLeavesOldOrNewNeverHalf() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            finish(store, meta("a", 1, 10), data(100, 4));
            // crash in the middle of receiving the next one: a temp file stays behind
            final SnapshotSink b = store.begin(meta("b", 1, 20));
            b.write(0, ByteBuffer.wrap(data(50, 5)));
        }
        // simulate a crash after the rename of a newer one but before the old one was deleted
        final Path current = dir.resolve(files().stream().filter(n -> n.endsWith(".snap")).findFirst().orElseThrow());
        Files.write(dir.resolve("receive-9.tmp"), new byte[] {1, 2, 3});
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertEquals("a", store.current().orElseThrow().meta().snapshotId());
            assertTrue(files().stream().noneMatch(n -> n.endsWith(".tmp")), "temp files cleaned: " + files());
            finish(store, meta("c", 2, 40), data(70, 6));
        }
        assertFalse(Files.exists(current), "old snapshot removed after the new one is durable");
        final Path newest = dir.resolve(files().stream().filter(n -> n.endsWith(".snap")).findFirst().orElseThrow());
        Files.copy(newest, current); // as if the deletion of the old one had not happened
        try (FileSnapshotStore store = FileSnapshotStore.open(dir); SnapshotReader r = store.current().orElseThrow()) {
            assertEquals("c", r.meta().snapshotId());
            assertArrayEquals(data(70, 6), readAll(r));
        }
        assertFalse(Files.exists(current));
    }

    @Test
    void corruptCurrentSnapshotIsReported() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            finish(store, meta("a", 1, 10), data(100, 4));
        }
        final Path file = dir.resolve(files().stream().filter(n -> n.endsWith(".snap")).findFirst().orElseThrow());
        final byte[] bytes = Files.readAllBytes(file);
        bytes[22] ^= 1;
        Files.write(file, bytes);
        final CorruptStorageException e = assertThrows(CorruptStorageException.class, () -> FileSnapshotStore.open(dir));
        assertEquals(file.toString(), e.file());
    }

    @Test
    void corruptDataIsReportedAtTheEndOfTheStream() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            finish(store, meta("a", 1, 10), data(5000, 7));
        }
        final Path file = dir.resolve(files().stream().filter(n -> n.endsWith(".snap")).findFirst().orElseThrow());
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 100] ^= 1;
        Files.write(file, bytes);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir); SnapshotReader r = store.current().orElseThrow()) {
            final IOException e = assertThrows(IOException.class, () -> readAll(r));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("CRC"), e.getMessage());
        }
    }

    @Test
    void abortDeletesTheTempFileAndCloseAbortsOpenSinks() throws IOException {
        final FileSnapshotStore store = FileSnapshotStore.open(dir);
        final SnapshotSink a = store.begin(meta("a", 1, 10));
        a.write(0, ByteBuffer.allocate(10));
        a.abort();
        a.abort();
        assertThrows(IllegalStateException.class, () -> a.write(0, ByteBuffer.allocate(1)));
        final SnapshotSink b = store.begin(meta("b", 1, 10));
        b.write(0, ByteBuffer.allocate(10));
        store.close();
        store.close();
        assertTrue(files().stream().noneMatch(n -> n.endsWith(".tmp")), files().toString());
        assertThrows(IllegalStateException.class, () -> store.begin(meta("c", 1, 1)));
    }

    @Test
    void secondOpenIsRefused() {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            final StorageException e = assertThrows(StorageException.class, () -> FileSnapshotStore.open(dir));
            assertTrue(e.getMessage().contains("lock"), e.getMessage());
            assertTrue(store.current().isEmpty());
        }
    }

    /**
     * Issue #11 item 6: two threads finish snapshots at once. A finish either succeeds (and its reader reads
     * it) or, for a snapshot older than one already current, throws IllegalStateException; never a
     * StorageException claiming the previous snapshot is still current while this one was installed.
     */
    @Test
    void concurrentFinishesReportExactlyWhatHappened() throws Exception {
        // on tmpfs when there is one: a directory force costs nothing there, which widens the race window
        final Path shm = Path.of("/dev/shm");
        final Path base = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "raft-snap-race") : dir;
        try (FileSnapshotStore store = FileSnapshotStore.open(base.resolve("s"))) {
            final int rounds = 1000;
            final java.util.concurrent.atomic.AtomicReference<Throwable> problem = new java.util.concurrent.atomic.AtomicReference<>();
            final java.util.concurrent.CyclicBarrier barrier = new java.util.concurrent.CyclicBarrier(2);
            final Thread[] threads = new Thread[2];
            for (int t = 0; t < 2; t++) {
                final int thread = t;
                threads[t] = new Thread(() -> {
                    try {
                        for (int round = 0; round < rounds && problem.get() == null; round++) {
                            final long index = 2L * round + thread + 1;
                            final SnapshotSink sink = store.begin(meta("s" + index, 1, index));
                            sink.write(0, ByteBuffer.wrap(data(64, index)));
                            barrier.await();
                            try (SnapshotReader reader = sink.finish()) {
                                assertEquals(sink.meta(), reader.meta());
                                assertArrayEquals(data(64, index), readAll(reader));
                            } catch (IllegalStateException older) {
                                final SnapshotMeta current = store.currentMeta().orElseThrow();
                                assertTrue(current.lastLogId().isNewerThan(sink.meta().lastLogId()),
                                    "finish of " + sink.meta() + " refused as older, but current is " + current);
                            }
                        }
                    } catch (Throwable e) {
                        problem.compareAndSet(null, e);
                        barrier.reset();
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            if (problem.get() != null) {
                throw new AssertionError("a concurrent finish misreported what happened: " + problem.get(), problem.get());
            }
            assertEquals(LogId.of(1, 2L * rounds), store.currentMeta().orElseThrow().lastLogId());
        } finally {
            if (base != dir) {
                try (Stream<Path> files = Files.walk(base)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
