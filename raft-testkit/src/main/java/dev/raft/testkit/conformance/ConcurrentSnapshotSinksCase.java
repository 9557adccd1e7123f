package dev.raft.testkit.conformance;

import static dev.raft.testkit.conformance.StorageContracts.FINISH_OLDER;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The body of {@link StorageConformanceSuite#snapshotSinksFromSeveralThreads()}: sinks written and finished
 * from several threads at once while another thread reads {@code current()}.
 */
final class ConcurrentSnapshotSinksCase {
    private ConcurrentSnapshotSinksCase() {
    }

    static void snapshotSinksFromSeveralThreads(ConformanceFixture fx) throws Exception {
        final OpLog ops = fx.ops();
        final SnapshotStore store = fx.snapshots("snapshots");
        final int writers = 3;
        final int size = 64 * 1024;
        final AtomicReference<String> problem = new AtomicReference<>();
        final AtomicBoolean done = new AtomicBoolean();
        ops.add(writers + " threads each write 4 snapshots (shuffled 1 KiB chunks) and finish them at once; one thread reads"
            + " current()");
        final Thread reader = new Thread(() -> {
            while (!done.get() && problem.get() == null) {
                try {
                    final Optional<SnapshotReader> current = store.current();
                    if (current.isPresent()) {
                        try (SnapshotReader r = current.get()) {
                            final byte[] bytes = r.openStream().readAllBytes();
                            final long salt = r.meta().lastLogId().index();
                            if (!java.util.Arrays.equals(bytes, Snapshots.content(salt, 0, size))) {
                                problem.compareAndSet(null, "current() " + r.meta().snapshotId() + " read " + bytes.length
                                    + " bytes that are not the ones written");
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    problem.compareAndSet(null, "current() or its reader threw " + e);
                }
            }
        }, "conformance-snapshot-reader");
        final List<Thread> threads = new ArrayList<>();
        final java.util.concurrent.CyclicBarrier finishTogether = new java.util.concurrent.CyclicBarrier(writers);
        for (int w = 0; w < writers; w++) {
            final int writer = w;
            threads.add(new Thread(() -> {
                final Random random = new Random(writer);
                for (int round = 0; round < 4 && problem.get() == null; round++) {
                    final long index = 10 + round * writers + writer;
                    final SnapshotSink sink = store.begin(Snapshots.meta("t" + writer + "-" + round, 1, index));
                    final List<Integer> chunks = new ArrayList<>();
                    for (int p = 0; p < size; p += 1024) {
                        chunks.add(p);
                    }
                    Collections.shuffle(chunks, random);
                    try {
                        for (int p : chunks) {
                            sink.write(p, ByteBuffer.wrap(Snapshots.content(index, p, 1024)));
                        }
                    } catch (RuntimeException e) {
                        problem.compareAndSet(null, "write to " + sink.meta().snapshotId() + " threw " + e);
                        return;
                    }
                    try {
                        finishTogether.await(10, TimeUnit.SECONDS); // finishes race each other, where stores break
                    } catch (java.util.concurrent.BrokenBarrierException | java.util.concurrent.TimeoutException e) {
                        // a writer stopped: finish alone
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    try (SnapshotReader finished = sink.finish()) {
                        if (!finished.meta().equals(sink.meta())) {
                            problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " returned a reader of "
                                + finished.meta().snapshotId());
                        }
                    } catch (IllegalStateException olderThanCurrentMeanwhile) {
                        // the one exception allowed: another thread finished a newer snapshot first; check that it did
                        final SnapshotMeta newer;
                        try (SnapshotReader r = store.current().orElse(null)) {
                            newer = r == null ? null : r.meta();
                        }
                        if (newer == null || !newer.lastLogId().isNewerThan(sink.meta().lastLogId())) {
                            problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " at " + sink.meta().lastLogId()
                                + " threw " + olderThanCurrentMeanwhile + " but the current snapshot is "
                                + (newer == null ? "none" : newer.snapshotId() + " at " + newer.lastLogId())
                                + " (only a snapshot older than the current one may be refused)");
                        }
                    } catch (RuntimeException e) {
                        problem.compareAndSet(null, "finish() of " + sink.meta().snapshotId() + " threw " + e
                            + " (only IllegalStateException, for a snapshot older than the current one, is allowed)");
                    }
                }
            }, "conformance-snapshot-writer-" + w));
        }
        reader.setDaemon(true);
        reader.start();
        for (Thread t : threads) {
            t.setDaemon(true);
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
        done.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        ops.check(problem.get() == null, StorageContracts.SNAPSHOT_THREADS, String.valueOf(problem.get()));
        final long newest = 10 + 3 * writers + writers - 1;
        Snapshots.checkCurrent(store, Snapshots.meta("t" + (writers - 1) + "-3", 1, newest), Snapshots.content(newest, 0, size),
            StorageContracts.FINISH_OLDER, StorageContracts.READER, ops);
    }
}
