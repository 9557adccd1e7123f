package dev.raft.testkit.conformance;

import dev.raft.api.Entry;
import dev.raft.api.EntryBatch;
import dev.raft.api.LogId;
import dev.raft.api.Membership;

/** Deterministic entries: the entry at (term, index) is always the same, so readers can verify what they see. */
final class Entries {
    private static final Membership[] MEMBERSHIPS = {
        Membership.of(1, 2, 3),
        Membership.joint(new int[] {1, 2, 3}, new int[] {2, 3, 4}),
        Membership.of(new int[][] {{1, 2, 3}}, new int[] {4, 5}),
        Membership.of(7),
    };

    private Entries() {
    }

    /** The entry at {@code (term, index)}: blank, membership or normal with a payload of 0 to a few KiB. */
    static Entry of(long term, long index) {
        final int kind = (int) ((index * 7 + term * 3) % 10);
        if (kind == 0) {
            return Entry.blank(term, index);
        }
        if (kind == 1) {
            return Entry.membership(term, index, MEMBERSHIPS[(int) (index % MEMBERSHIPS.length)]);
        }
        final int length = (int) ((index * 31 + term * 17) % 64) + (index % 50 == 0 ? 3000 : 0);
        return Entry.normal(term, index, payload(term, index, length));
    }

    /** A normal entry whose payload is exactly {@code length} bytes derived from its id. */
    static Entry sized(long term, long index, int length) {
        return Entry.normal(term, index, payload(term, index, length));
    }

    static byte[] payload(long term, long index, int length) {
        final byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            bytes[k] = (byte) (term * 131 + index * 31 + k * 7 + (k >> 8));
        }
        return bytes;
    }

    /** A batch of {@code count} entries of {@code term} from {@code firstIndex}. */
    static EntryBatch batch(long term, long firstIndex, int count) {
        final EntryBatch batch = new EntryBatch(256);
        for (int i = 0; i < count; i++) {
            batch.add(of(term, firstIndex + i));
        }
        return batch;
    }

    static String describe(EntryBatch batch) {
        if (batch.isEmpty()) {
            return "[]";
        }
        final LogId first = LogId.of(batch.term(0), batch.firstIndex());
        return "[" + first + ".." + batch.lastTerm() + "-" + batch.lastIndex() + ", " + batch.size() + " entries, "
            + batch.payloadBytes() + " B]";
    }
}
