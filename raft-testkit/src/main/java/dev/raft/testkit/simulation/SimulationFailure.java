package dev.raft.testkit.simulation;

/**
 * A simulation run that broke an invariant or produced a non-linearizable history. The message names the
 * seed, what broke, and a one-line command that replays the run exactly.
 */
public final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The seed of the failing run. */
    private final long seed;
    /** The hash of the trace up to the failure. */
    private final long traceHash;
    /** The command that replays it. */
    private final String replayCommand;

    SimulationFailure(long seed, long traceHash, String replayCommand, String what, Throwable cause) {
        super("simulation seed " + seed + " failed: " + what + "\n  replay: " + replayCommand, cause);
        this.seed = seed;
        this.traceHash = traceHash;
        this.replayCommand = replayCommand;
    }

    /** The seed of the failing run. */
    public long seed() {
        return seed;
    }

    /** The hash of everything the run observed up to the failure: a replay of the seed reaches the same. */
    public long traceHash() {
        return traceHash;
    }

    /** The one-line command that replays the failing run. */
    public String replayCommand() {
        return replayCommand;
    }
}
