package dev.raft.examples.soak;

import java.util.ArrayList;
import java.util.List;

/** What happened in one soak round: the fault, when it struck, how fast the servers recovered, and any failure. */
final class RoundResult {
    final int index;
    final Fault fault;
    final List<String> notes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    /** When the fault struck the leader ({@link System#nanoTime()}), or -1 if the leader was not hit. */
    long leaderLostAtNanos = -1;
    /** From the fault to the first status of a leader in a higher term, or -1 (not hit, or none seen). */
    long failoverNanos = -1;
    /** From the fault to the first OK of an operation invoked after it, or -1 (not hit, or not computed yet). */
    long outageMillis = -1;

    RoundResult(int index, Fault fault) {
        this.index = index;
        this.fault = fault;
    }

    void note(String text) {
        notes.add(text);
    }

    void fail(String text) {
        failures.add(text);
    }

    @Override
    public String toString() {
        final StringBuilder s = new StringBuilder(String.format("round %3d %-16s", index, fault));
        if (leaderLostAtNanos >= 0) {
            s.append(failoverNanos >= 0 ? String.format(" failover %5d ms", failoverNanos / 1_000_000)
                : " failover   n/a   ");
            s.append(outageMillis >= 0 ? String.format(" outage %5d ms", outageMillis) : "");
        }
        s.append(' ').append(String.join("; ", notes));
        for (String f : failures) {
            s.append("\n          FAILED: ").append(f);
        }
        return s.toString();
    }
}
