package dev.raft.testkit.conformance;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One seeded random sequence of snapshot store operations (begin, positional writes out of order and
 * repeated, finish, abort, close and reopen, crash) checked against a model after every operation.
 */
final class SnapshotModelRun implements AutoCloseable {
    private static final int MAX_SIZE = 2048;

    private final StorageFactory factory;
    private final Path dir;
    private final OpLog log;
    private final SplittableRandom random;
    private final boolean crash;
    private final List<SinkModel> sinks = new ArrayList<>();
    private SnapshotStore store;
    private SnapshotMeta currentMeta;
    private byte[] currentBytes;
    private int begun;

    SnapshotModelRun(StorageFactory factory, Path dir, OpLog log, long seed, boolean crash) throws Exception {
        this.factory = factory;
        this.dir = dir;
        this.log = log;
        this.random = new SplittableRandom(seed);
        this.crash = crash;
        this.store = factory.openSnapshotStore(dir);
    }

    void run(int operations) throws Exception {
        for (int i = 0; i < operations; i++) {
            try {
                step();
            } catch (RuntimeException e) {
                throw log.failure(StorageContracts.SNAPSHOT_ALLOWED, "threw " + e, e);
            }
        }
        Snapshots.checkCurrent(store, currentMeta, currentBytes, StorageContracts.FINISH, log);
    }

    private void step() throws Exception {
        final int op = random.nextInt(100);
        if (sinks.isEmpty() || (op < 10 && sinks.size() < 3)) {
            final SnapshotMeta meta = Snapshots.meta("s" + begun++, 1 + random.nextInt(3), 1 + random.nextInt(40));
            log.add("begin(" + meta.snapshotId() + " at " + meta.lastLogId() + ")");
            sinks.add(new SinkModel(store.begin(meta), random.nextLong()));
            return;
        }
        final SinkModel s = sinks.get(random.nextInt(sinks.size()));
        if (op < 65) {
            final int position = random.nextInt(MAX_SIZE - 300);
            final int length = 1 + random.nextInt(300);
            Snapshots.write(s.sink, s.salt, position, length, log);
            for (int i = position; i < position + length; i++) {
                s.written[i] = true;
            }
            s.high = Math.max(s.high, position + length);
            checkContiguous(s);
        } else if (op < 70) {
            // fill a prefix so that finishing without a gap becomes likely
            final int length = Math.max(1, s.high);
            Snapshots.write(s.sink, s.salt, 0, length, log);
            java.util.Arrays.fill(s.written, 0, length, true);
            s.high = Math.max(s.high, length);
            checkContiguous(s);
        } else if (op < 80) {
            finish(s);
        } else if (op < 86) {
            log.add("sink " + s.sink.meta().snapshotId() + ".abort()");
            s.sink.abort();
            s.sink.abort();
            sinks.remove(s);
            Snapshots.checkCurrent(store, currentMeta, currentBytes, StorageContracts.ABORT, log);
        } else if (op < 92) {
            log.add("close; reopen");
            store.close();
            for (SinkModel open : sinks) {
                Snapshots.expectThrows(IllegalStateException.class, StorageContracts.SNAPSHOT_CLOSE,
                    "sink " + open.sink.meta().snapshotId() + ".write after close",
                    () -> open.sink.write(0, ByteBuffer.wrap(new byte[1])), log);
            }
            sinks.clear();
            store = factory.openSnapshotStore(dir);
            Snapshots.checkCurrent(store, currentMeta, currentBytes, StorageContracts.FINISH_DURABLE, log);
        } else if (op < 96 && crash) {
            log.add("crash; reopen");
            factory.crash(store, dir);
            sinks.clear();
            store = factory.openSnapshotStore(dir);
            Snapshots.checkCurrent(store, currentMeta, currentBytes, StorageContracts.CRASH_BEFORE_FINISH, log);
        } else {
            Snapshots.checkCurrent(store, currentMeta, currentBytes, StorageContracts.SINK_INVISIBLE, log);
        }
    }

    private void checkContiguous(SinkModel s) {
        int contiguous = 0;
        while (contiguous < MAX_SIZE && s.written[contiguous]) {
            contiguous++;
        }
        final long got = s.sink.contiguousBytes();
        log.check(got == contiguous, StorageContracts.SINK_CONTIGUOUS, "contiguousBytes() = " + got + ", expected " + contiguous);
    }

    private void finish(SinkModel s) {
        sinks.remove(s);
        boolean gap = false;
        for (int i = 0; i < s.high; i++) {
            gap |= !s.written[i];
        }
        final String id = s.sink.meta().snapshotId();
        if (gap) {
            Snapshots.expectThrows(IllegalStateException.class, StorageContracts.FINISH_GAP, "sink " + id + ".finish() with a gap",
                s.sink::finish, log);
            s.sink.abort();
        } else if (currentMeta != null && s.sink.meta().lastLogId().compareTo(currentMeta.lastLogId()) < 0) {
            Snapshots.expectThrows(RuntimeException.class, StorageContracts.FINISH_OLDER, "sink " + id + ".finish() at "
                + s.sink.meta().lastLogId() + " older than the current " + currentMeta.lastLogId(), s.sink::finish, log);
        } else {
            final byte[] bytes = Snapshots.content(s.salt, 0, s.high);
            try (SnapshotReader reader = Snapshots.finish(s.sink, log)) {
                Snapshots.checkReader(reader, s.sink.meta(), bytes, StorageContracts.FINISH, log);
            }
            currentMeta = s.sink.meta();
            currentBytes = bytes;
        }
        Snapshots.checkCurrent(store, currentMeta, currentBytes, gap ? StorageContracts.FINISH_GAP : StorageContracts.FINISH, log);
    }

    @Override
    public void close() {
        try {
            store.close();
        } catch (RuntimeException ignored) {
            // teardown of a store that may be broken on purpose
        }
    }

    private static final class SinkModel {
        final SnapshotSink sink;
        final long salt;
        final boolean[] written = new boolean[MAX_SIZE];
        int high;

        SinkModel(SnapshotSink sink, long salt) {
            this.sink = sink;
            this.salt = salt;
        }
    }
}
