package dev.raft.examples.kv;

import java.util.concurrent.ConcurrentSkipListSet;

/**
 * A {@link KvClient}'s write sequences: hands out 1, 2, 3, ... and knows which are still in flight, so that every send
 * can tell the servers the floor below which the client has every outcome. Thread-safe.
 *
 * <p>A sequence is in flight before any later one is handed out ({@link #begin} is atomic): otherwise a call that took
 * sequence 6 could report a floor of 6 while the call holding 5 had not registered it yet, and the servers would then
 * refuse 5 as stale (the real-process counter test saw exactly that).
 */
final class SessionSequences {
    private final ConcurrentSkipListSet<Long> inFlight = new ConcurrentSkipListSet<>();
    private long last;

    /** A new sequence, in flight until {@link #end}. */
    synchronized long begin() {
        final long sequence = ++last;
        inFlight.add(sequence);
        return sequence;
    }

    /** The call of {@code sequence} has its outcome. */
    void end(long sequence) {
        inFlight.remove(sequence);
    }

    /** The floor to send with {@code sequence} (in flight): the lowest sequence in flight, at most {@code sequence}. */
    long ackedBelow(long sequence) {
        final Long lowest = inFlight.ceiling(Long.MIN_VALUE);
        return lowest == null ? sequence : Math.min(lowest, sequence);
    }
}
