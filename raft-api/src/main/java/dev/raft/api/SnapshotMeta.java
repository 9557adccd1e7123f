package dev.raft.api;

/**
 * What identifies a snapshot and what it covers.
 *
 * @param snapshotId  unique id of this snapshot; a stream of InstallSnapshot chunks is keyed by it.
 *                    Non-empty, at most 255 ASCII characters (it travels on the wire)
 * @param lastLogId   the id of the last log entry whose effect the snapshot contains
 * @param membership  the membership in force as of {@code lastLogId}
 */
public record SnapshotMeta(String snapshotId, LogId lastLogId, Membership membership) {
    /** The longest snapshot id, in ASCII characters. */
    public static final int MAX_ID_LENGTH = 255;

    /**
     * @throws IllegalArgumentException if the id is empty, too long or not printable ASCII, or a field is null
     */
    public SnapshotMeta {
        if (snapshotId == null || snapshotId.isEmpty() || snapshotId.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("SnapshotMeta.snapshotId: must be 1.." + MAX_ID_LENGTH
                + " characters, got " + (snapshotId == null ? "null" : snapshotId.length() + " characters"));
        }
        for (int i = 0; i < snapshotId.length(); i++) {
            final char c = snapshotId.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("SnapshotMeta.snapshotId: character " + i
                    + " is not printable ASCII in '" + snapshotId + "'");
            }
        }
        if (lastLogId == null || membership == null) {
            throw new IllegalArgumentException("SnapshotMeta " + snapshotId + ": lastLogId and membership must not be null");
        }
    }

    /** A conventional id for a snapshot: {@code <term>-<index>-<unique>}. */
    public static String idFor(LogId lastLogId, long unique) {
        return lastLogId.term() + "-" + lastLogId.index() + "-" + Long.toUnsignedString(unique, 36);
    }
}
