package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.ABORT;
import static dev.raft.testkit.conformance.StorageContracts.FINISH;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_GAP;
import static dev.raft.testkit.conformance.StorageContracts.FINISH_OLDER;
import static dev.raft.testkit.conformance.StorageContracts.READER_VALID;
import static dev.raft.testkit.conformance.StorageContracts.SINK_CONTIGUOUS;
import static dev.raft.testkit.conformance.StorageContracts.SINK_INVISIBLE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_META;
import static dev.raft.testkit.conformance.StorageContracts.SINK_STATE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_WRITE;
import static dev.raft.testkit.conformance.StorageContracts.SINK_WRITE_POSITION;
import static dev.raft.testkit.conformance.StorageContracts.SNAPSHOT_EMPTY;
import static dev.raft.testkit.conformance.StorageContracts.TRANSFER;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The bodies of {@link StorageConformanceSuite}'s cases of snapshot sinks and readers: finish, chunks,
 * gaps, abort, older snapshots, readers kept valid, and a transfer between two stores. Each is documented at the
 * suite's case of the same name.
 */
final class SnapshotSinkCases {
    private SnapshotSinkCases() {
    }

    static void snapshotStoreInitiallyEmpty(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        Snapshots.checkCurrent(fx.snapshots("snapshots"), null, null, SNAPSHOT_EMPTY, ops);
    }

    static void snapshotFinishMakesItCurrent(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotMeta meta = Snapshots.meta("1-10-a", 1, 10);
        final SnapshotSink sink = store.begin(meta);
        ops.check(meta.equals(sink.meta()), SINK_META, "sink.meta() = " + sink.meta() + ", begun with " + meta);
        for (int position = 0; position < 10_000; position += 1000) {
            Snapshots.write(sink, 1, position, 1000, ops);
        }
        Snapshots.checkCurrent(store, null, null, SINK_INVISIBLE, ops);
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, meta, Snapshots.content(1, 0, 10_000), FINISH, ops);
        }
        Snapshots.checkCurrent(store, meta, Snapshots.content(1, 0, 10_000), FINISH, ops);
        final SnapshotSink empty = store.begin(Snapshots.meta("1-11-empty", 1, 11));
        try (SnapshotReader reader = Snapshots.finish(empty, ops)) {
            Snapshots.checkReader(reader, empty.meta(), new byte[0], FINISH, ops);
        }
    }

    static void snapshotChunksOutOfOrderAndRepeated(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("2-20-a", 2, 20));
        final long[][] writes = {{3000, 1000}, {1000, 1000}, {1000, 1000}, {0, 500}, {500, 500}, {1500, 700},
            {4000, 1}, {2000, 1000}, {3500, 10}, {4001, 999}, {0, 1000}};
        final long[] contiguous = {0, 0, 0, 500, 2000, 2200, 2200, 4001, 4001, 5000, 5000};
        ops.check(sink.contiguousBytes() == 0, SINK_CONTIGUOUS, "contiguousBytes() = " + sink.contiguousBytes() + " before any write");
        for (int i = 0; i < writes.length; i++) {
            Snapshots.write(sink, 2, writes[i][0], (int) writes[i][1], ops);
            final long got = sink.contiguousBytes();
            ops.check(got == contiguous[i], SINK_CONTIGUOUS, "contiguousBytes() = " + got + ", expected " + contiguous[i]);
        }
        try (SnapshotReader reader = Snapshots.finish(sink, ops)) {
            Snapshots.checkReader(reader, sink.meta(), Snapshots.content(2, 0, 5000), SINK_WRITE, ops);
        }
        Snapshots.expectThrows(IllegalArgumentException.class, SINK_WRITE_POSITION, "write(-1) on a new sink",
            () -> store.begin(Snapshots.meta("2-21-b", 2, 21)).write(-1, ByteBuffer.wrap(new byte[1])), ops);
    }

    static void snapshotGapRejectedAtFinish(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotSink sink = store.begin(Snapshots.meta("3-30-a", 3, 30));
        Snapshots.write(sink, 3, 0, 100, ops);
        Snapshots.write(sink, 3, 200, 100, ops);
        ops.check(sink.contiguousBytes() == 100, SINK_CONTIGUOUS, "contiguousBytes() = " + sink.contiguousBytes() + ", expected 100");
        Snapshots.expectThrows(IllegalStateException.class, FINISH_GAP, "finish() with bytes [100, 200) unwritten", sink::finish, ops);
        Snapshots.checkCurrent(store, null, null, FINISH_GAP, ops);
    }

    static void snapshotAbortAndSinkState(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotMeta kept = Snapshots.meta("4-40-kept", 4, 40);
        final SnapshotSink finished = store.begin(kept);
        Snapshots.write(finished, 4, 0, 300, ops);
        Snapshots.finish(finished, ops).close();
        final SnapshotSink aborted = store.begin(Snapshots.meta("5-50-aborted", 5, 50));
        Snapshots.write(aborted, 5, 0, 300, ops);
        ops.add("abort(); abort(); finished.abort()");
        aborted.abort();
        aborted.abort();
        finished.abort();
        Snapshots.checkCurrent(store, kept, Snapshots.content(4, 0, 300), ABORT, ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "write after abort",
            () -> aborted.write(0, ByteBuffer.wrap(new byte[1])), ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "finish after abort", aborted::finish, ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "write after finish",
            () -> finished.write(0, ByteBuffer.wrap(new byte[1])), ops);
        Snapshots.expectThrows(IllegalStateException.class, SINK_STATE, "finish after finish", finished::finish, ops);
        Snapshots.checkCurrent(store, kept, Snapshots.content(4, 0, 300), ABORT, ops);
    }

    static void olderSnapshotRefusedAtFinish(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotSink older = store.begin(Snapshots.meta("5-50-older", 5, 50));
        final SnapshotSink newer = store.begin(Snapshots.meta("5-60-newer", 5, 60));
        final SnapshotSink sameId = store.begin(Snapshots.meta("5-60-again", 5, 60));
        Snapshots.write(older, 50, 0, 100, ops);
        Snapshots.write(newer, 60, 0, 200, ops);
        Snapshots.write(sameId, 61, 0, 50, ops);
        Snapshots.finish(newer, ops).close();
        Snapshots.expectThrows(RuntimeException.class, FINISH_OLDER, "finish() of 5-50 after 5-60 became current",
            older::finish, ops);
        Snapshots.checkCurrent(store, newer.meta(), Snapshots.content(60, 0, 200), FINISH_OLDER, ops);
        Snapshots.finish(sameId, ops).close();
        Snapshots.checkCurrent(store, sameId.meta(), Snapshots.content(61, 0, 50), FINISH, ops);
        final SnapshotSink lowerTerm = store.begin(Snapshots.meta("4-90-lower-term", 4, 90));
        Snapshots.write(lowerTerm, 90, 0, 10, ops);
        Snapshots.expectThrows(RuntimeException.class, FINISH_OLDER, "finish() of 4-90 after 5-60 (log ids order by term first)",
            lowerTerm::finish, ops);
        Snapshots.checkCurrent(store, sameId.meta(), Snapshots.content(61, 0, 50), FINISH_OLDER, ops);
    }

    static void readerValidAfterNewerSnapshot(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final SnapshotMeta first = Snapshots.finishNew(store, Snapshots.meta("6-60-first", 6, 60), 6, 4000, ops);
        ops.add("current() (kept open)");
        final SnapshotReader old = store.current().orElseThrow();
        try {
            final SnapshotMeta second = Snapshots.finishNew(store, Snapshots.meta("6-70-second", 6, 70), 7, 1000, ops);
            final SnapshotMeta third = Snapshots.finishNew(store, Snapshots.meta("7-80-third", 7, 80), 8, 10, ops);
            Snapshots.checkReader(old, first, Snapshots.content(6, 0, 4000), READER_VALID, ops);
        } finally {
            ops.add("reader.close(); reader.close()");
            old.close();
            old.close();
        }
        Snapshots.checkCurrent(store, Snapshots.meta("7-80-third", 7, 80), Snapshots.content(8, 0, 10), FINISH, ops);
    }

    static void snapshotTransferBetweenTwoStores(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore source = fx.snapshots("source");
        final SnapshotStore target = fx.snapshots("target");
        final SnapshotMeta meta = Snapshots.meta("13-130-t", 13, 130);
        final SnapshotSink build = source.begin(meta);
        final int size = 100_000 + 123;
        Snapshots.write(build, 13, 0, size, ops);
        Snapshots.finish(build, ops).close();
        ops.add("transfer in 4 KiB chunks: the first half in order, resume from contiguousBytes, the rest shuffled and repeated");
        try (SnapshotReader reader = source.current().orElseThrow()) {
            final SnapshotSink sink = target.begin(reader.meta());
            final int chunk = 4096;
            final List<Long> positions = new ArrayList<>();
            for (long p = 0; p < reader.size(); p += chunk) {
                positions.add(p);
            }
            final int half = positions.size() / 2;
            for (int i = 0; i < half; i++) {
                copyChunk(reader, sink, positions.get(i), chunk, ops);
            }
            final long resumeAt = sink.contiguousBytes();
            ops.check(resumeAt == (long) half * chunk, TRANSFER, "contiguousBytes() = " + resumeAt + " after " + half
                + " chunks in order");
            final List<Long> rest = new ArrayList<>(positions.subList(half, positions.size()));
            rest.addAll(positions.subList(half, half + 3));
            Collections.shuffle(rest, new Random(13));
            for (long p : rest) {
                copyChunk(reader, sink, p, chunk, ops);
            }
            ops.check(sink.contiguousBytes() == reader.size(), TRANSFER, "contiguousBytes() = " + sink.contiguousBytes()
                + " after every chunk, size " + reader.size());
            try (SnapshotReader received = Snapshots.finish(sink, ops)) {
                Snapshots.checkReader(received, meta, Snapshots.content(13, 0, size), TRANSFER, ops);
            }
        }
        Snapshots.checkCurrent(target, meta, Snapshots.content(13, 0, size), TRANSFER, ops);
    }

    private static void copyChunk(SnapshotReader reader, SnapshotSink sink, long position, int chunk, OpLog ops) {
        final ByteBuffer buffer = ByteBuffer.allocate(chunk);
        final int n = reader.read(position, buffer);
        ops.check(n > 0, TRANSFER, "source read(" + position + ") returned " + n);
        buffer.flip();
        sink.write(position, buffer);
        ops.check(!buffer.hasRemaining(), StorageContracts.SINK_WRITE_CONSUMES, "src not consumed by write(" + position + ")");
    }
}
