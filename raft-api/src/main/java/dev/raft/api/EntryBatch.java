package dev.raft.api;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable, growable batch of log entries with consecutive indexes and non-decreasing terms.
 * Payloads are copied into one direct buffer, so filling a batch that has reached its working size
 * allocates nothing. Not thread-safe: one owner at a time.
 *
 * <p>Invariants, checked by {@link #add}: the first entry may have any index {@code > 0}; every later
 * entry has index = previous + 1 and term &gt;= previous term.
 */
public final class EntryBatch {
    private static final int INITIAL_ENTRIES = 16;

    private final ExpandableDirectByteBuffer data;
    private final View view = new View();
    private long[] terms = new long[INITIAL_ENTRIES];
    private int[] types = new int[INITIAL_ENTRIES];
    private int[] offsets = new int[INITIAL_ENTRIES];
    private int[] lengths = new int[INITIAL_ENTRIES];
    private long firstIndex;
    private int size;
    private int dataLength;

    /** An empty batch with room for 64 KiB of payload before it grows. */
    public EntryBatch() {
        this(64 * 1024);
    }

    /** An empty batch with room for {@code initialPayloadBytes} before it grows. */
    public EntryBatch(int initialPayloadBytes) {
        data = new ExpandableDirectByteBuffer(Math.max(16, initialPayloadBytes));
    }

    /** Removes every entry; keeps the memory. */
    public EntryBatch clear() {
        size = 0;
        dataLength = 0;
        firstIndex = 0;
        return this;
    }

    /** The number of entries. */
    public int size() {
        return size;
    }

    /** Whether the batch holds no entry. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The index of the first entry, or 0 when empty. */
    public long firstIndex() {
        return firstIndex;
    }

    /** The index of the last entry, or 0 when empty. */
    public long lastIndex() {
        return size == 0 ? 0 : firstIndex + size - 1;
    }

    /** The term of the last entry, or 0 when empty. */
    public long lastTerm() {
        return size == 0 ? 0 : terms[size - 1];
    }

    /** The total payload bytes of all entries. */
    public int payloadBytes() {
        return dataLength;
    }

    /**
     * Appends a copy of an entry.
     *
     * @throws IllegalArgumentException if the index is not the next one, the term decreases, the term
     *                                  or index is not positive, or the length is negative
     */
    public EntryBatch add(long term, long index, EntryType type, DirectBuffer payload, int offset, int length) {
        checkNext(term, index);
        if (length < 0) {
            throw new IllegalArgumentException("EntryBatch.add: negative payload length " + length + " at index " + index);
        }
        ensureEntryCapacity(size + 1);
        terms[size] = term;
        types[size] = type.code();
        offsets[size] = dataLength;
        lengths[size] = length;
        if (length > 0) {
            data.putBytes(dataLength, payload, offset, length);
        }
        dataLength += length;
        size++;
        return this;
    }

    /** Checks that an entry {@code term}-{@code index} may follow the last one (or start the batch: then it does). */
    private void checkNext(long term, long index) {
        if (term <= 0 || index <= 0) {
            throw new IllegalArgumentException("EntryBatch.add: term and index must be > 0, got " + term + "-" + index);
        }
        if (size > 0) {
            if (index != firstIndex + size) {
                throw new IllegalArgumentException("EntryBatch.add: index " + index + " is not consecutive, expected "
                    + (firstIndex + size));
            }
            if (term < terms[size - 1]) {
                throw new IllegalArgumentException("EntryBatch.add: term " + term + " of index " + index
                    + " is lower than the previous entry's term " + terms[size - 1]);
            }
        } else {
            firstIndex = index;
        }
    }

    /** Appends a copy of an entry given as a view. */
    public EntryBatch add(EntryView entry) {
        final DirectBuffer payload = entry.payload();
        return add(entry.term(), entry.index(), entry.type(), payload, 0, payload.capacity());
    }

    /** Appends a copy of an entry whose payload is a byte array. */
    public EntryBatch add(long term, long index, EntryType type, byte[] payload) {
        return add(term, index, type, new UnsafeBuffer(payload), 0, payload.length);
    }

    /**
     * Appends a copy of each of {@code other}'s entries {@code [from, to)} (positions, not indexes).
     */
    public EntryBatch addAll(EntryBatch other, int from, int to) {
        if (from < 0 || from > to || to > other.size) {
            throw new IndexOutOfBoundsException("EntryBatch.addAll: positions [" + from + ", " + to + ") outside [0, "
                + other.size + ")");
        }
        if (from == to) {
            return this;
        }
        if (other == this) {
            for (int i = from; i < to; i++) {
                add(other.term(i), other.index(i), other.type(i), other.data, other.offsets[i], other.lengths[i]);
            }
            return this;
        }
        // the first entry must follow this batch's last; the others follow each other already (other's invariants)
        checkNext(other.terms[from], other.firstIndex + from);
        final int n = to - from;
        ensureEntryCapacity(size + n);
        System.arraycopy(other.terms, from, terms, size, n);
        System.arraycopy(other.types, from, types, size, n);
        System.arraycopy(other.lengths, from, lengths, size, n);
        // payloads lie back to back in other's buffer: one copy, offsets shifted
        final int start = other.offsets[from];
        final int shift = dataLength - start;
        for (int i = 0; i < n; i++) {
            offsets[size + i] = other.offsets[from + i] + shift;
        }
        final int bytes = other.offsets[to - 1] + other.lengths[to - 1] - start;
        if (bytes > 0) {
            data.putBytes(dataLength, other.data, start, bytes);
        }
        dataLength += bytes;
        size += n;
        return this;
    }

    /** Removes the entries from position {@code newSize} on. */
    public EntryBatch truncate(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IndexOutOfBoundsException("EntryBatch.truncate: " + newSize + " not in [0, " + size + "]");
        }
        if (newSize < size) {
            dataLength = newSize == 0 ? 0 : offsets[newSize];
            size = newSize;
            if (size == 0) {
                firstIndex = 0;
            }
        }
        return this;
    }

    /** The term of the entry at position {@code i}. */
    public long term(int i) {
        checkPosition(i);
        return terms[i];
    }

    /** The index of the entry at position {@code i}. */
    public long index(int i) {
        checkPosition(i);
        return firstIndex + i;
    }

    /** The type of the entry at position {@code i}. */
    public EntryType type(int i) {
        checkPosition(i);
        return EntryType.fromCode(types[i]);
    }

    /** The offset of the payload of entry {@code i} in {@link #buffer()}. */
    public int payloadOffset(int i) {
        checkPosition(i);
        return offsets[i];
    }

    /** The payload length of entry {@code i}. */
    public int payloadLength(int i) {
        checkPosition(i);
        return lengths[i];
    }

    /** The buffer holding every payload back to back, from offset 0 to {@link #payloadBytes()}. */
    public MutableDirectBuffer buffer() {
        return data;
    }

    /**
     * The entry at position {@code i} as a view. The same view object is returned by every call on this
     * batch: it is valid until the next call to {@code entry} or until the batch changes.
     */
    public EntryView entry(int i) {
        checkPosition(i);
        view.position = i;
        view.payload.wrap(data, offsets[i], lengths[i]);
        return view;
    }

    private void checkPosition(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("EntryBatch: position " + i + " not in [0, " + size + ")");
        }
    }

    /**
     * Makes room for {@code entries} entries in all (payload room aside), so that filling the batch up to that many
     * allocates nothing more: for an owner that knows its working size, instead of growing by doubling.
     */
    public void reserveEntries(int entries) {
        ensureEntryCapacity(entries);
    }

    private void ensureEntryCapacity(int needed) {
        if (needed > terms.length) {
            final int capacity = Math.max(needed, terms.length * 2);
            terms = java.util.Arrays.copyOf(terms, capacity);
            types = java.util.Arrays.copyOf(types, capacity);
            offsets = java.util.Arrays.copyOf(offsets, capacity);
            lengths = java.util.Arrays.copyOf(lengths, capacity);
        }
    }

    @Override
    public String toString() {
        return size == 0 ? "EntryBatch{}" : "EntryBatch{" + firstIndex + ".." + lastIndex() + ", " + dataLength + "B}";
    }

    private final class View implements EntryView {
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[0]);
        private int position;

        @Override
        public long term() {
            return terms[position];
        }

        @Override
        public long index() {
            return firstIndex + position;
        }

        @Override
        public EntryType type() {
            return EntryType.fromCode(types[position]);
        }

        @Override
        public DirectBuffer payload() {
            return payload;
        }

        @Override
        public int payloadLength() {
            return payload.capacity();
        }
    }
}
