package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.CRASH_BEFORE_FINISH;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_DURABLE;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_FAILED;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_OLDER;
import static dev.raft.testkit.conformance.StorageContracts.SNAPSHOT_CLOSE;
import static dev.raft.testkit.conformance.StorageContracts.WRITE_RETRYABLE;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.error.StorageException;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bodies of {@link StorageConformanceSuite}'s cases of what a snapshot store keeps across a reopen, a
 * crash or a failed write or finish, of the files it leaves, and of its random run against the model. Each is
 * documented at the suite's case of the same name.
 */
final class SnapshotDurabilityCases {
    private SnapshotDurabilityCases() {
    }

    static void longestSnapshotIdAndLargestChunksKeptIntact(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final Path dir = fx.dir("snapshots");
        final SnapshotStore store = fx.factory().openSnapshotStore(dir);
        final SnapshotMeta meta = PrincipleCases.largestSnapshot(store, ops);
        ops.add("close; reopen");
        store.close();
        final SnapshotStore reopened = fx.factory().openSnapshotStore(dir);
        fx.track(reopened);
        final int size = 2 * dev.raft.api.config.RaftConfig.MAX_SNAPSHOT_CHUNK_BYTES + 7;
        Snapshots.checkCurrent(reopened, meta, Snapshots.content(30, 0, size), StorageContracts.LIMITS, ops);
    }

    static void snapshotReopenAfterClose(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final Path dir = fx.dir("snapshots");
        final SnapshotStore store = fx.factory().openSnapshotStore(dir);
        final SnapshotMeta sink = Snapshots.finishNew(store, Snapshots.meta("8-80-a", 8, 80), 8, 3000, ops);
        final SnapshotSink open = store.begin(Snapshots.meta("9-90-open", 9, 90));
        Snapshots.write(open, 9, 0, 3000, ops);
        ops.add("close(); close()");
        store.close();
        store.close();
        Snapshots.expectThrows(IllegalStateException.class, SNAPSHOT_CLOSE, "write on a sink open at close",
            () -> open.write(3000, ByteBuffer.wrap(new byte[1])), ops);
        ops.add("reopen");
        final SnapshotStore reopened = fx.factory().openSnapshotStore(dir);
        fx.track(reopened);
        Snapshots.checkCurrent(reopened, sink, Snapshots.content(8, 0, 3000), FINISH_DURABLE, ops);
    }

    static void snapshotCrashBeforeAndAfterFinish(ConformanceFixture fx) throws Exception {
        fx.assumeFault(Fault.CRASH);
        final OpLog ops = fx.ops();
        final Path dir = fx.dir("snapshots");
        SnapshotStore store = fx.factory().openSnapshotStore(dir);
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("10-100-a", 10, 100), 10, 5000, ops);
        final SnapshotSink second = store.begin(Snapshots.meta("11-110-b", 11, 110));
        Snapshots.write(second, 11, 0, 5000, ops);
        ops.add("crash before finish; reopen");
        fx.factory().crash(store, dir);
        store = fx.factory().openSnapshotStore(dir);
        Snapshots.checkCurrent(store, first, Snapshots.content(10, 0, 5000), CRASH_BEFORE_FINISH, ops);
        final SnapshotMeta third = Snapshots.finishNew(store, Snapshots.meta("12-120-c", 12, 120), 12, 2000, ops);
        ops.add("crash after finish; reopen");
        fx.factory().crash(store, dir);
        store = fx.factory().openSnapshotStore(dir);
        fx.track(store);
        Snapshots.checkCurrent(store, third, Snapshots.content(12, 0, 2000), FINISH_DURABLE, ops);
    }

    static void snapshotWriteFailureIsRetryable(ConformanceFixture fx) throws Exception {
        fx.assumeFault(Fault.SNAPSHOT_WRITE_FAILURE);
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("14-140-a", 14, 140));
        Snapshots.write(sink, 14, 0, 1000, ops);
        ops.add("inject: next write fails");
        fx.factory().failNextSnapshotWrite(store);
        ops.add("write(1000, 1000 bytes) (fails)");
        try {
            sink.write(1000, ByteBuffer.wrap(Snapshots.content(14, 1000, 1000)));
            throw ops.failure(WRITE_RETRYABLE, "the injected write failure did not surface", null);
        } catch (StorageException e) {
            ops.check(e.isRetryable(), WRITE_RETRYABLE, "the write failed with a fatal " + e);
        }
        ops.check(sink.contiguousBytes() == 1000, StorageContracts.FAILURE_STATE, "contiguousBytes() = "
            + sink.contiguousBytes() + " after the failed write at 1000; only [0, 1000) was written");
        Snapshots.checkCurrent(store, null, null, StorageContracts.FAILURE_STATE, ops);
        Snapshots.write(sink, 14, 1000, 1000, ops);
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, sink.meta(), Snapshots.content(14, 0, 2000), WRITE_RETRYABLE, ops);
        }
    }

    static void snapshotFinishFailureKeepsThePrevious(ConformanceFixture fx) throws Exception {
        fx.assumeFault(Fault.SNAPSHOT_FINISH_FAILURE);
        final OpLog ops = fx.ops();
        final Path dir = fx.dir("snapshots");
        final SnapshotStore store = fx.factory().openSnapshotStore(dir);
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("15-150-a", 15, 150), 15, 1000, ops);
        final SnapshotSink second = store.begin(Snapshots.meta("16-160-b", 16, 160));
        Snapshots.write(second, 16, 0, 1000, ops);
        ops.add("inject: next finish fails");
        fx.factory().failNextSnapshotFinish(store);
        Snapshots.expectThrows(StorageException.class, FINISH_FAILED, "finish() (fails)", second::finish, ops);
        Snapshots.checkCurrent(store, first, Snapshots.content(15, 0, 1000), FINISH_FAILED, ops);
        ops.add("close; reopen");
        store.close();
        final SnapshotStore reopened = fx.factory().openSnapshotStore(dir);
        fx.track(reopened);
        Snapshots.checkCurrent(reopened, first, Snapshots.content(15, 0, 1000), FINISH_FAILED, ops);
    }

    static void abortedAndReplacedSnapshotsLeaveNoFiles(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final Path dir = fx.dir("snapshots");
        final SnapshotStore store = fx.factory().openSnapshotStore(dir);
        fx.track(store);
        final int size = 256 * 1024;
        for (int i = 1; i <= 4; i++) {
            Snapshots.finishNew(store, Snapshots.meta("20-" + i, 20, i), i, size, ops);
        }
        final long replaced = directoryBytes(dir);
        ops.check(replaced < 2L * size, StorageContracts.SNAPSHOT_FILES, dir + " holds " + replaced + " bytes after 4 snapshots of "
            + size + " bytes replaced one another; at most one snapshot (and some metadata) may remain");
        final SnapshotSink aborted = store.begin(Snapshots.meta("21-1-aborted", 21, 1));
        Snapshots.write(aborted, 21, 0, size, ops);
        ops.add("abort()");
        aborted.abort();
        final long afterAbort = directoryBytes(dir);
        ops.check(afterAbort <= replaced + size / 4, StorageContracts.SNAPSHOT_FILES, dir + " grew from " + replaced + " to "
            + afterAbort + " bytes when a sink of " + size + " bytes was aborted");
        final SnapshotSink older = store.begin(Snapshots.meta("19-9-older", 19, 9));
        Snapshots.write(older, 19, 0, size, ops);
        Snapshots.expectThrows(IllegalStateException.class, FINISH_OLDER, "finish() of a snapshot older than the current",
            older::finish, ops);
        final long afterRefused = directoryBytes(dir);
        ops.check(afterRefused <= replaced + size / 4, StorageContracts.SNAPSHOT_FILES, dir + " grew from " + replaced + " to "
            + afterRefused + " bytes when a snapshot of " + size + " bytes was refused as older");
    }

    static void randomSnapshotOperationsMatchTheModel(ConformanceFixture fx) throws Exception {
        final boolean crash = fx.supports(Fault.CRASH);
        final int operations = Integer.getInteger("raft.conformance.ops", 400) / 2;
        final int count = Math.max(1, Integer.getInteger("raft.conformance.seeds", 12) / 2);
        for (long seed : fx.seeds(count)) {
            final OpLog ops = fx.seededOps(seed, operations * 2);
            try (SnapshotModelRun run = new SnapshotModelRun(fx.factory(), fx.dir("random-snapshots-" + seed), ops, seed, crash)) {
                run.run(operations);
            }
        }
    }

    private static long directoryBytes(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }
}
