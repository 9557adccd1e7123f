package dev.raft.api;

/** What a log entry carries. The codes are stable: storage and wire formats use them. */
public enum EntryType {
    /** No command: the entry a new leader appends to commit entries of earlier terms. */
    BLANK(0),
    /** A client command for the state machine. */
    NORMAL(1),
    /** A membership configuration (see {@link Membership#encode()}). */
    MEMBERSHIP(2);

    private static final EntryType[] BY_CODE = {BLANK, NORMAL, MEMBERSHIP};

    private final int code;

    EntryType(int code) {
        this.code = code;
    }

    /** The stable code of this type, as written to storage and the wire. */
    public int code() {
        return code;
    }

    /**
     * The type with the given code.
     *
     * @throws IllegalArgumentException naming the code if it is unknown
     */
    public static EntryType fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("EntryType: unknown code " + code + " (known: 0=BLANK, 1=NORMAL, 2=MEMBERSHIP)");
        }
        return BY_CODE[code];
    }

    /** Whether {@code code} names a known type. */
    public static boolean isKnownCode(int code) {
        return code >= 0 && code < BY_CODE.length;
    }
}
