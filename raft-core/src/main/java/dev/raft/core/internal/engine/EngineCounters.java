package dev.raft.core.internal.engine;

/**
 * The engine's counters as plain longs, incremented on the engine's thread (no allocation, no fences); the
 * runtime copies them into Agrona counters once per duty cycle, where other processes read them.
 */
public final class EngineCounters {
    private static final EngineCounter[] ALL = EngineCounter.values();

    private final long[] values = new long[ALL.length];

    /** Adds one to {@code counter}. */
    public void increment(EngineCounter counter) {
        values[counter.ordinal()]++;
    }

    /** The value of {@code counter}. */
    public long get(EngineCounter counter) {
        return values[counter.ordinal()];
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("EngineCounters{");
        for (EngineCounter c : ALL) {
            if (values[c.ordinal()] != 0) {
                sb.append(c.label()).append('=').append(values[c.ordinal()]).append(", ");
            }
        }
        return sb.append('}').toString();
    }
}
