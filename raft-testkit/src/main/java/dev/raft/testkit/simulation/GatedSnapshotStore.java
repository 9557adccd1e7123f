package dev.raft.testkit.simulation;

import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a snapshot built off the node's thread from racing with the simulation: a {@link #begin} from any
 * thread but the simulation's waits until the simulation {@link #release()}s it after the node's step, so the
 * build always finishes between two steps (and the node learns of it in the next one), whatever the real
 * thread timing.
 */
final class GatedSnapshotStore implements SnapshotStore {
    private static final long GATE_SECONDS = 30;

    private final SnapshotStore delegate;
    private final Thread simulation;
    private final Semaphore gate = new Semaphore(0);

    GatedSnapshotStore(SnapshotStore delegate, Thread simulation) {
        this.delegate = delegate;
        this.simulation = simulation;
    }

    /** Lets one waiting (or the next) off-thread {@link #begin} proceed. */
    void release() {
        gate.release();
    }

    @Override
    public SnapshotSink begin(SnapshotMeta meta) {
        if (Thread.currentThread() != simulation) {
            try {
                if (!gate.tryAcquire(GATE_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("GatedSnapshotStore: snapshot " + meta.snapshotId()
                        + " was not released by the simulation within " + GATE_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("GatedSnapshotStore: interrupted before snapshot " + meta.snapshotId(), e);
            }
        }
        return delegate.begin(meta);
    }

    @Override
    public Optional<SnapshotReader> current() {
        return delegate.current();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
