package dev.raft.testkit.simulation;

/**
 * A simulation run that broke an invariant or produced a non-linearizable history. The message names the
 * seed, what broke, and a one-line command that replays the run exactly.
 */
public final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    /** The seed of the failing run. */
    private final long seed;
    /** The command that replays it. */
    private final String replayCommand;

    SimulationFailure(long seed, String replayCommand, String what, Throwable cause) {
        super("simulation seed " + seed + " failed: " + what + "\n  replay: " + replayCommand, cause);
        this.seed = seed;
        this.replayCommand = replayCommand;
    }

    /** The seed of the failing run. */
    public long seed() {
        return seed;
    }

    /** The one-line command that replays the failing run. */
    public String replayCommand() {
        return replayCommand;
    }
}
