package dev.raft.testkit.simulation;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a snapshot built off the node's thread from racing with the simulation. A {@link #begin} from any
 * thread but the simulation's waits until the simulation lets the build run with {@link #runBuild()}, which
 * returns once the building thread has finished or aborted its sink and gone idle (so its report to the node
 * is queued): the node then learns of the build in its next step, whatever the real thread timing.
 */
final class GatedSnapshotStore implements SnapshotStore {
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final SnapshotStore delegate;
    private final Thread simulation;
    private final Semaphore gate = new Semaphore(0);
    private volatile Thread builder;
    private volatile boolean buildDone;

    GatedSnapshotStore(SnapshotStore delegate, Thread simulation) {
        this.delegate = delegate;
        this.simulation = simulation;
    }

    /**
     * Lets the build the node started in its last step run, and waits until its thread is done with it.
     *
     * @throws IllegalStateException if it takes longer than 30 s of real time
     */
    void runBuild() {
        gate.release();
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!(buildDone && idle(builder))) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("GatedSnapshotStore: the snapshot build did not end within 30 s (thread "
                    + builder + ")");
            }
            Thread.yield();
        }
        buildDone = false;
    }

    /** Whether the thread waits for more work (after queuing its report) or has ended. */
    private static boolean idle(Thread t) {
        final Thread.State state = t.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.TERMINATED;
    }

    @Override
    public SnapshotSink begin(SnapshotMeta meta) {
        if (Thread.currentThread() == simulation) {
            return delegate.begin(meta); // a snapshot received from the leader, on the node's (our) thread
        }
        builder = Thread.currentThread();
        try {
            if (!gate.tryAcquire(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("GatedSnapshotStore: snapshot " + meta.snapshotId()
                    + " was not let run by the simulation within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            buildDone = true;
            throw new IllegalStateException("GatedSnapshotStore: interrupted before snapshot " + meta.snapshotId(), e);
        }
        try {
            return new Tracked(delegate.begin(meta));
        } catch (RuntimeException e) {
            buildDone = true;
            throw e;
        }
    }

    @Override
    public Optional<SnapshotReader> current() {
        return delegate.current();
    }

    @Override
    public void close() {
        delegate.close();
    }

    /** A built snapshot's sink: marks the build done once finished or aborted. */
    private final class Tracked implements SnapshotSink {
        private final SnapshotSink sink;

        Tracked(SnapshotSink sink) {
            this.sink = sink;
        }

        @Override
        public SnapshotMeta meta() {
            return sink.meta();
        }

        @Override
        public void write(long position, ByteBuffer src) {
            sink.write(position, src);
        }

        @Override
        public long contiguousBytes() {
            return sink.contiguousBytes();
        }

        @Override
        public SnapshotReader finish() {
            try {
                return sink.finish();
            } finally {
                buildDone = true;
            }
        }

        @Override
        public void abort() {
            try {
                sink.abort();
            } finally {
                buildDone = true;
            }
        }
    }
}
