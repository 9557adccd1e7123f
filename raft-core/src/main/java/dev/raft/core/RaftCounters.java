package dev.raft.core;

import dev.raft.core.internal.metrics.HeapCounters;
import dev.raft.core.internal.metrics.MappedCounters;
import java.nio.file.Path;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;

/**
 * Where a node allocates its counters (elections, stale and malformed messages, safety violations, snapshot
 * transfers, ...: one Agrona {@link AtomicCounter} each, type ids from 2001, labels {@code "raft node <id>:
 * <what>"}). The node updates them from its thread once per duty cycle and closes them (and this
 * allocator) when it closes.
 *
 * <ul>
 *   <li>{@link #inMemory()}: on the heap, readable only in this process (the default).</li>
 *   <li>{@link #mappedFile(Path, int)}: an Agrona {@code CountersManager} over a memory-mapped file, readable
 *       by any process through {@link #openMappedFile(Path)} ({@code AeronStat}-style tools).</li>
 *   <li>Your own, for example one that calls {@code aeron.addCounter(typeId, label)} so that the counters
 *       sit next to the transport's in the media driver's CnC file.</li>
 * </ul>
 *
 * Bind one with {@code OptionalBinder.newOptionalBinder(binder(), RaftCounters.class).setBinding()...}, or
 * pass it to {@link RaftNodeBuilder#counters(RaftCounters)}.
 */
public interface RaftCounters extends AutoCloseable {
    /** Allocates a counter of {@code typeId} with {@code label}. Node thread, at start only. */
    AtomicCounter newCounter(int typeId, String label);

    /** Releases what {@link #newCounter} allocated. */
    @Override
    void close();

    /** Counters on the heap, visible in this process only. */
    static RaftCounters inMemory() {
        return new HeapCounters();
    }

    /**
     * Counters in the memory-mapped file {@link #mappedFileFor(Path, int) mappedFileFor(directory, nodeId)},
     * created (or replaced) now and deleted on {@link #close()}.
     */
    static RaftCounters mappedFile(Path directory, int nodeId) {
        return MappedCounters.create(mappedFileFor(directory, nodeId));
    }

    /** The file {@link #mappedFile} uses for {@code nodeId} in {@code directory}. */
    static Path mappedFileFor(Path directory, int nodeId) {
        return directory.resolve("raft-node-" + nodeId + "-counters.dat");
    }

    /** Opens the counters file of a running node (from any process), read-only. */
    static View openMappedFile(Path file) {
        return MappedCounters.open(file);
    }

    /** A read-only view of another node's counters. */
    interface View extends AutoCloseable {
        /** The counters, as Agrona's reader sees them. */
        CountersReader reader();

        /** The value of the first allocated counter of {@code typeId}, or -1 if there is none. */
        default long valueOf(int typeId) {
            final CountersReader reader = reader();
            final long[] found = {-1};
            reader.forEach((counterId, type, key, label) -> {
                if (type == typeId && found[0] < 0) {
                    found[0] = reader.getCounterValue(counterId);
                }
            });
            return found[0];
        }

        /** Unmaps the file. */
        @Override
        void close();
    }
}
