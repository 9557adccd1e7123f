package dev.raft.core.internal.metrics;

import dev.raft.core.RaftCounters;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/** Counters in an Agrona {@link CountersManager} over direct buffers of this process. */
public final class HeapCounters implements RaftCounters {
    /** Room for this many counters. */
    static final int CAPACITY = 32;

    private final CountersManager manager;

    public HeapCounters() {
        manager = new CountersManager(
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(CAPACITY * CountersReader.COUNTER_LENGTH)));
    }

    @Override
    public AtomicCounter newCounter(int typeId, String label) {
        return manager.newCounter(label, typeId);
    }

    /** The counters allocated here. */
    public CountersReader reader() {
        return manager;
    }

    @Override
    public void close() {
        // direct buffers are freed with this object
    }
}
