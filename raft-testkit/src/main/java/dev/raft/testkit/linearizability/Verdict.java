package dev.raft.testkit.linearizability;

/** The answer of the linearizability checker. */
public enum Verdict {
    /** Every partition has a linearization. */
    LINEARIZABLE,
    /** Some partition has none; the result carries a minimal failing sub-history. */
    NOT_LINEARIZABLE,
    /** The search budget ran out before an answer was found, and no partition failed. */
    UNKNOWN
}
