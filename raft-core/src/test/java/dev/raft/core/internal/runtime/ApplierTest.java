package dev.raft.core.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.service.OutcomeListener;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The state machine's side of a node: a state machine is handed a response buffer only for the entries a proposer
 * here waits for, a listener receives the response in that buffer, a future a copy, and in steady state applying and
 * answering allocates nothing.
 */
class ApplierTest {
    /** A state machine that takes and restores no snapshots. */
    private abstract static class NoSnapshots implements StateMachine {
        @Override
        public SnapshotWriter takeSnapshot() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void restore(SnapshotMeta meta, InputStream data) {
            throw new UnsupportedOperationException();
        }
    }

    /** Echoes each NORMAL entry's payload; records, per entry, whether it was given a buffer. */
    private static final class Echo extends NoSnapshots {
        final List<Boolean> givenBuffer = new ArrayList<>();
        boolean record = true;
        long last;

        @Override
        public byte[] apply(EntryView entry) {
            throw new AssertionError("the node calls the buffer form");
        }

        @Override
        public int apply(EntryView entry, MutableDirectBuffer response) {
            last = entry.index();
            if (record) {
                givenBuffer.add(response != null);
            }
            if (entry.type() != EntryType.NORMAL || entry.payloadLength() == 0) {
                return -1;
            }
            if (response != null) {
                response.putBytes(0, entry.payload(), 0, entry.payloadLength());
            }
            return entry.payloadLength();
        }

        @Override
        public LogId lastApplied() {
            return LogId.of(1, last);
        }
    }

    /** Keeps the last result it was given in the buffer form, as a sum and a length (nothing allocated). */
    private static final class Listener implements OutcomeListener {
        long correlation;
        int length;
        long firstLong;
        int results;

        @Override
        public void onResult(long c, byte[] result) {
            throw new AssertionError("the node calls the buffer form");
        }

        @Override
        public void onResult(long c, DirectBuffer result, int offset, int len) {
            correlation = c;
            length = len;
            firstLong = len >= 8 ? result.getLong(offset) : -1;
            results++;
        }

        @Override
        public void onError(long c, RuntimeException error) {
            throw new AssertionError(error);
        }
    }

    private static EntryCache cacheOf(int entries) {
        final EntryBatch batch = new EntryBatch();
        for (int i = 1; i <= entries; i++) {
            final byte[] payload = new byte[i % 7 == 0 ? 0 : 64];
            if (payload.length > 0) {
                final UnsafeBuffer view = new UnsafeBuffer(payload);
                view.putLong(0, i);
            }
            batch.add(1, i, EntryType.NORMAL, payload);
        }
        final EntryCache cache = new EntryCache(1024, 4, Integer.MAX_VALUE);
        cache.append(batch, 0, batch.size());
        return cache;
    }

    @Test
    void onlyTheEntriesAProposerHereWaitsForGetAResponseBufferAndTheListenerReadsTheResponseInIt() {
        final Echo echo = new Echo();
        final Applier applier = new Applier(1, echo, null, cacheOf(7));
        final Listener listener = new Listener();
        applier.addProposal(2, listener, 42);
        final CompletableFuture<byte[]> future = new CompletableFuture<>();
        applier.addProposal(4, future);
        final CompletableFuture<byte[]> none = new CompletableFuture<>();
        applier.addProposal(7, none); // an empty payload: the state machine answers nothing

        applier.applyUpTo(7);
        assertEquals(List.of(false, true, false, true, false, false, true), echo.givenBuffer);
        assertEquals(0, listener.results, "outcomes wait for completeStaged");
        applier.completeStaged();
        assertEquals(42, listener.correlation);
        assertEquals(64, listener.length);
        assertEquals(2, listener.firstLong);
        assertEquals(64, future.join().length);
        assertEquals(4, new UnsafeBuffer(future.join()).getLong(0));
        assertNull(none.join(), "no response: the future gets null");
    }

    @Test
    void aStateMachineWithOnlyTheArrayFormAnswersTheSameThroughTheDefaults() {
        final Echo inner = new Echo();
        final StateMachine arrayOnly = new NoSnapshots() {
            @Override
            public byte[] apply(EntryView entry) {
                final ExpandableArrayBuffer out = new ExpandableArrayBuffer(64);
                final int n = inner.apply(entry, out);
                return n < 0 ? null : Arrays.copyOf(out.byteArray(), n);
            }

            @Override
            public LogId lastApplied() {
                return inner.lastApplied();
            }
        };
        final Applier applier = new Applier(1, arrayOnly, null, cacheOf(7));
        final List<byte[]> results = new ArrayList<>();
        final OutcomeListener arrays = new OutcomeListener() {
            @Override
            public void onResult(long correlation, byte[] result) {
                results.add(result);
            }

            @Override
            public void onError(long correlation, RuntimeException error) {
                throw new AssertionError(error);
            }
        };
        applier.addProposal(3, arrays, 1);
        applier.addProposal(7, arrays, 2);
        applier.applyUpTo(7);
        applier.completeStaged();
        assertEquals(2, results.size());
        final byte[] expected = new byte[64];
        new UnsafeBuffer(expected).putLong(0, 3);
        assertArrayEquals(expected, results.get(0));
        assertNull(results.get(1));
    }

    @Test
    void applyingAndAnsweringAllocateNothingInSteadyState() {
        final int rounds = 400;
        final int perRound = 500;
        final Echo echo = new Echo();
        echo.record = false;
        final Applier applier = new Applier(1, echo, null, cacheOf(rounds * perRound));
        final Listener listener = new Listener();
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long index = 0;
        long before = 0;
        for (int round = 0; round < rounds; round++) {
            if (round == rounds / 2) { // every slot of the ring has had its buffer made by now
                before = threads.getThreadAllocatedBytes(thread);
            }
            for (int i = 0; i < perRound; i++) {
                index++;
                if (index % 2 == 0) { // half the entries were proposed here
                    applier.addProposal(index, listener, index);
                }
            }
            applier.applyUpTo(index);
            applier.completeStaged();
        }
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        final long applied = (long) rounds / 2 * perRound;
        assertEquals(rounds * perRound, echo.last);
        assertEquals(index, listener.correlation);
        assertTrue(allocated < applied, "allocated " + allocated + " bytes for " + applied + " entries ("
            + (double) allocated / applied + " per entry)");
    }
}
