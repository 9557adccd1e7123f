package dev.raft.core.internal.metrics;

import dev.raft.core.RaftCounters;
import dev.raft.core.internal.engine.EngineCounter;
import dev.raft.core.internal.engine.EngineCounters;
import java.util.concurrent.atomic.AtomicLongArray;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * Publishes the engine's counters as Agrona counters: one per {@link EngineCounter}, allocated at start,
 * updated from the node thread once per duty cycle (only those that changed), closed with the node.
 */
public final class CountersPublisher implements AutoCloseable {
    private static final EngineCounter[] ALL = EngineCounter.values();

    private final RaftCounters allocator;
    private final AtomicCounter[] counters = new AtomicCounter[ALL.length];
    /** The values last published, readable from any thread (also after the counters were closed). */
    private final AtomicLongArray published = new AtomicLongArray(ALL.length);

    public CountersPublisher(int nodeId, RaftCounters allocator) {
        this.allocator = allocator;
        for (EngineCounter c : ALL) {
            counters[c.ordinal()] = allocator.newCounter(c.typeId(), "raft node " + nodeId + ": " + c.label());
        }
    }

    /** Node thread: copies the values that changed. */
    public void update(EngineCounters values) {
        for (int i = 0; i < ALL.length; i++) {
            final long v = values.get(ALL[i]);
            if (v != published.get(i)) {
                published.lazySet(i, v);
                counters[i].setRelease(v);
            }
        }
    }

    /** Any thread: the published value of {@code counter}. */
    public long value(EngineCounter counter) {
        return published.get(counter.ordinal());
    }

    @Override
    public void close() {
        for (AtomicCounter c : counters) {
            c.close();
        }
        allocator.close();
    }
}
