package dev.raft.testkit.simulation;

import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;

/**
 * The record of one simulation run: the hash of everything it observed, step by step (a replay of the seed
 * reaches the same), the faults it injected, its simulated time, and the {@link SimulationFailure} it throws,
 * which names the seed, the run's setup and the command that replays it.
 */
final class SimulationTrace {
    private final long seed;
    private final String replayCommand;
    private final String setup;
    private final CachedNanoClock clock;
    private final long startNanos;
    private long hash = 17;
    private long faults;

    /**
     * The trace of the run of {@code seed}, replayed by {@code replayCommand}, on {@code clock} from {@code startNanos};
     * {@code setup} (cluster size, fault rate) goes into failure messages.
     */
    SimulationTrace(long seed, String replayCommand, String setup, CachedNanoClock clock, long startNanos) {
        this.seed = seed;
        this.replayCommand = replayCommand;
        this.setup = setup;
        this.clock = clock;
        this.startNanos = startNanos;
    }

    /** Mixes {@code value} into the hash. */
    void mix(long value) {
        hash = (hash ^ value) * 0x9E3779B97F4A7C15L;
        hash ^= hash >>> 29;
    }

    /** Counts an injected fault of {@code kind} and mixes it in. */
    void fault(int kind) {
        faults++;
        mix(100 + kind);
    }

    long hash() {
        return hash;
    }

    long faults() {
        return faults;
    }

    /** The simulated time since the run started. */
    long simulatedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - startNanos);
    }

    /** The failure to throw: {@code what} broke, with the setup, simulated time and replay command. */
    SimulationFailure failure(String what, Throwable cause) {
        return new SimulationFailure(seed, hash, replayCommand,
            what + " (" + setup + ", simulated time " + simulatedMillis() + " ms)", cause);
    }
}
