package dev.raft.core.internal.engine.replication;

import dev.raft.api.EntryBatch;

/**
 * The one rule that bounds the payload of an AppendEntries: entries are added in order while the payload
 * stays within {@code maxBytes}; the entry that would cross it is left for the next message, except that a
 * message with no entry yet always takes one.
 */
public final class ByteLimit {
    private ByteLimit() {
    }

    /**
     * Copies {@code src} positions from {@code first} up to at most {@code last} (inclusive) into {@code dst}
     * under the rule.
     *
     * @return the number of entries copied
     */
    public static int copy(EntryBatch dst, EntryBatch src, int first, int last, int maxBytes) {
        int end = first;
        long bytes = dst.payloadBytes();
        while (end <= last) {
            final int length = src.payloadLength(end);
            if ((!dst.isEmpty() || end > first) && bytes + length > maxBytes) {
                break;
            }
            bytes += length;
            end++;
        }
        dst.addAll(src, first, end);
        return end - first;
    }
}
