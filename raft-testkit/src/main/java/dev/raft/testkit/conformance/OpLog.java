package dev.raft.testkit.conformance;

import java.util.ArrayList;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/** The operations a conformance case performed, for failure messages that say what broke and how. */
final class OpLog {
    private static final int SHOWN = 120;

    private final String store;
    private final String replay;
    private final List<String> ops = new ArrayList<>();

    /**
     * @param store  the store under test, for the message
     * @param replay how to replay the case (a seed and property), or empty
     */
    OpLog(String store, String replay) {
        this.store = store;
        this.replay = replay;
    }

    void add(String op) {
        ops.add(op);
    }

    int size() {
        return ops.size();
    }

    /** A failure naming the contract, what was seen, and the operation sequence. */
    AssertionFailedError failure(String contract, String detail, Throwable cause) {
        final StringBuilder sb = new StringBuilder(contract).append(" -- BROKEN by ").append(store).append(": ")
            .append(detail).append("\n  operations (").append(ops.size()).append("):");
        final int from = Math.max(0, ops.size() - SHOWN);
        if (from > 0) {
            sb.append("\n    ... ").append(from).append(" earlier operations");
        }
        for (int i = from; i < ops.size(); i++) {
            sb.append("\n    ").append(i + 1).append(". ").append(ops.get(i));
        }
        if (!replay.isEmpty()) {
            sb.append("\n  replay: ").append(replay);
        }
        return new AssertionFailedError(sb.toString(), cause);
    }

    /** Throws {@link #failure} unless {@code condition}. */
    void check(boolean condition, String contract, String detail) {
        if (!condition) {
            throw failure(contract, detail, null);
        }
    }
}
