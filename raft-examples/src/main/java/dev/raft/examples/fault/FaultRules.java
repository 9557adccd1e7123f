package dev.raft.examples.fault;

import dev.raft.api.NodeId;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which Raft messages a {@link FaultInjectingTransport} loses: everything ({@link #isolate()}), or what goes
 * out to some peers and what comes in from some peers. Immutable; the transport reads one instance per
 * message, so a change of rules is atomic.
 */
public final class FaultRules {
    /** Loses nothing. */
    public static final FaultRules NONE = new FaultRules(false, new int[0], new int[0]);
    private static final FaultRules ISOLATE = new FaultRules(true, new int[0], new int[0]);

    private final boolean isolated;
    private final int[] dropOut;
    private final int[] dropIn;

    private FaultRules(boolean isolated, int[] dropOut, int[] dropIn) {
        this.isolated = isolated;
        this.dropOut = dropOut;
        this.dropIn = dropIn;
    }

    /** Loses every message to and from every peer. */
    public static FaultRules isolate() {
        return ISOLATE;
    }

    /**
     * Loses what is sent to {@code dropOut} and what is received from {@code dropIn}.
     *
     * @throws IllegalArgumentException naming the first id that is not a valid node id
     */
    public static FaultRules drop(int[] dropOut, int[] dropIn) {
        return new FaultRules(false, validSorted(dropOut), validSorted(dropIn));
    }

    private static int[] validSorted(int[] ids) {
        final int[] sorted = ids.clone();
        for (int id : sorted) {
            NodeId.require(id, "fault rule peer");
        }
        Arrays.sort(sorted);
        return Arrays.stream(sorted).distinct().toArray();
    }

    /** Whether a message to {@code peer} is lost. */
    public boolean losesTo(int peer) {
        return isolated || Arrays.binarySearch(dropOut, peer) >= 0;
    }

    /** Whether a message from {@code peer} is lost. */
    public boolean losesFrom(int peer) {
        return isolated || Arrays.binarySearch(dropIn, peer) >= 0;
    }

    /** Whether no incoming message is lost (the transport then polls without filtering). */
    boolean losesNothingIn() {
        return !isolated && dropIn.length == 0;
    }

    /**
     * Parses one control request (see the package documentation).
     *
     * @return the rules it sets, or null for {@code status}, which sets none
     * @throws IllegalArgumentException with one line saying what was wrong with the request
     */
    public static FaultRules parse(String request) {
        final String[] words = request.trim().split("\\s+");
        final String verb = words[0];
        final int expectedWords = switch (verb) {
            case "heal", "isolate", "status" -> 1;
            case "drop", "drop-out", "drop-in" -> 2;
            default -> throw new IllegalArgumentException("unknown fault request '" + request.trim()
                + "' (expected heal, isolate, status, drop <ids>, drop-out <ids> or drop-in <ids>)");
        };
        if (words.length != expectedWords) {
            throw new IllegalArgumentException("fault request '" + request.trim() + "': " + verb + " takes "
                + (expectedWords == 1 ? "no argument" : "one comma-separated list of node ids"));
        }
        return switch (verb) {
            case "heal" -> NONE;
            case "isolate" -> ISOLATE;
            case "status" -> null;
            case "drop" -> drop(ids(words[1]), ids(words[1]));
            case "drop-out" -> drop(ids(words[1]), new int[0]);
            default -> drop(new int[0], ids(words[1]));
        };
    }

    private static int[] ids(String list) {
        try {
            return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("fault request: '" + list + "' is not a comma-separated list of node ids");
        }
    }

    /** The rules as the request that sets them would read them ({@code heal}, {@code isolate}, {@code drop-out 2 drop-in 3}). */
    @Override
    public String toString() {
        if (isolated) {
            return "isolate";
        }
        if (dropOut.length == 0 && dropIn.length == 0) {
            return "heal";
        }
        final StringBuilder s = new StringBuilder();
        if (dropOut.length > 0) {
            s.append("drop-out ").append(join(dropOut));
        }
        if (dropIn.length > 0) {
            s.append(s.length() > 0 ? " " : "").append("drop-in ").append(join(dropIn));
        }
        return s.toString();
    }

    private static String join(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }
}
