package dev.raft.testkit.conformance;

import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.storage.SnapshotReader;
import dev.raft.api.storage.SnapshotSink;
import dev.raft.api.storage.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** Snapshot helpers of the suite: deterministic content, recorded writes and full checks of a reader. */
final class Snapshots {
    private Snapshots() {
    }

    /** A meta with a joint membership and learners, so that every field must survive. */
    static SnapshotMeta meta(String id, long term, long index) {
        return new SnapshotMeta(id, LogId.of(term, index),
            Membership.of(new int[][] {{1, 2, 3}, {2, 3, 4}}, new int[] {9}));
    }

    /** The bytes at {@code [position, position + length)} of a snapshot with content {@code salt}. */
    static byte[] content(long salt, long position, int length) {
        final byte[] bytes = new byte[length];
        for (int k = 0; k < length; k++) {
            final long p = position + k;
            bytes[k] = (byte) (salt * 7 + p * 13 + (p >> 9));
        }
        return bytes;
    }

    /** Writes {@code [position, position + length)} of content {@code salt} and checks {@code src} was consumed. */
    static void write(SnapshotSink sink, long salt, long position, int length, OpLog log) {
        log.add("sink " + sink.meta().snapshotId() + ".write(" + position + ", " + length + " bytes)");
        final ByteBuffer src = ByteBuffer.wrap(content(salt, position, length));
        try {
            sink.write(position, src);
        } catch (RuntimeException e) {
            throw log.failure(StorageContracts.SINK_WRITE, "write(" + position + ", " + length + " bytes) threw " + e, e);
        }
        log.check(!src.hasRemaining(), StorageContracts.SINK_WRITE_CONSUMES, src.remaining() + " bytes left in src after write");
    }

    /** Checks meta, size and bytes (by positional reads and by stream) of {@code reader}. */
    static void checkReader(SnapshotReader reader, SnapshotMeta meta, byte[] expected, String contract, OpLog log) {
        checkReader(reader, meta, expected, contract, contract, log);
    }

    /** As {@link #checkReader(SnapshotReader, SnapshotMeta, byte[], String, OpLog)}; wrong bytes are named {@code bytesContract}. */
    static void checkReader(SnapshotReader reader, SnapshotMeta meta, byte[] expected, String contract, String bytesContract,
                            OpLog log) {
        try {
            log.check(meta.equals(reader.meta()), contract, "reader meta " + reader.meta() + ", expected " + meta);
            log.check(reader.size() == expected.length, contract, "reader size " + reader.size() + ", expected " + expected.length);
            final byte[] read = new byte[expected.length];
            int position = 0;
            while (position < expected.length) {
                final ByteBuffer dst = ByteBuffer.wrap(read, position, Math.min(1000, expected.length - position));
                final int n = reader.read(position, dst);
                log.check(n > 0 && n == dst.position() - position, StorageContracts.READER, "read(" + position
                    + ", 1000-byte buffer) returned " + n + " and filled " + (dst.position() - position) + " bytes");
                position += n;
            }
            log.check(reader.read(expected.length, ByteBuffer.allocate(8)) == -1, StorageContracts.READER,
                "read at position size() did not return -1");
            final int mismatch = Arrays.mismatch(read, expected);
            log.check(mismatch < 0, bytesContract, "positional read differs from what was written at byte " + mismatch
                + (bytesContract.equals(contract) ? "" : " (checking: " + contract + ")"));
            try (InputStream in = reader.openStream()) {
                final byte[] streamed = in.readAllBytes();
                final int streamMismatch = Arrays.mismatch(streamed, expected);
                log.check(streamMismatch < 0, bytesContract, "openStream() gives " + streamed.length + " bytes, differing from the "
                    + expected.length + " written at byte " + streamMismatch);
            }
        } catch (IOException | RuntimeException e) {
            throw log.failure(contract, "reading snapshot " + meta.snapshotId() + " threw " + e, e);
        }
    }

    /** Checks {@code current()} holds {@code meta} with {@code expected} bytes, or nothing when meta is null. */
    static void checkCurrent(SnapshotStore store, SnapshotMeta meta, byte[] expected, String contract, OpLog log) {
        checkCurrent(store, meta, expected, contract, contract, log);
    }

    /** As {@link #checkCurrent(SnapshotStore, SnapshotMeta, byte[], String, OpLog)}; wrong bytes are named {@code bytesContract}. */
    static void checkCurrent(SnapshotStore store, SnapshotMeta meta, byte[] expected, String contract, String bytesContract,
                             OpLog log) {
        log.add("current()");
        final Optional<SnapshotReader> current;
        try {
            current = store.current();
        } catch (RuntimeException e) {
            throw log.failure(contract, "current() threw " + e, e);
        }
        if (meta == null) {
            log.check(current.isEmpty(), contract, "current() holds " + current.map(r -> r.meta().toString()).orElse("")
                + ", expected none");
            return;
        }
        log.check(current.isPresent(), contract, "current() is empty, expected " + meta.snapshotId());
        try (SnapshotReader reader = current.get()) {
            checkReader(reader, meta, expected, contract, bytesContract, log);
        }
    }

    /** Begins {@code meta}, writes {@code size} bytes of content {@code salt} in one chunk, finishes it. */
    static SnapshotMeta finishNew(SnapshotStore store, SnapshotMeta meta, long salt, int size, OpLog log) {
        log.add("begin(" + meta.snapshotId() + " at " + meta.lastLogId() + ")");
        final SnapshotSink sink;
        try {
            sink = store.begin(meta);
        } catch (RuntimeException e) {
            throw log.failure(StorageContracts.SNAPSHOT_ALLOWED, "begin threw " + e, e);
        }
        write(sink, salt, 0, size, log);
        finish(sink, log).close();
        return meta;
    }

    /** Finishes {@code sink}, expecting success. */
    static SnapshotReader finish(SnapshotSink sink, OpLog log) {
        log.add("sink " + sink.meta().snapshotId() + ".finish()");
        try {
            return sink.finish();
        } catch (RuntimeException e) {
            throw log.failure(StorageContracts.FINISH, "finish() threw " + e, e);
        }
    }

    /** Runs {@code call}, expecting the exception type {@code expected}. */
    static void expectThrows(Class<? extends RuntimeException> expected, String contract, String what, Runnable call, OpLog log) {
        log.add(what);
        try {
            call.run();
        } catch (RuntimeException e) {
            log.check(expected.isInstance(e), contract, what + " threw " + e + ", expected " + expected.getSimpleName());
            return;
        }
        throw log.failure(contract, what + " returned normally, expected " + expected.getSimpleName(), null);
    }
}
