package dev.raft.examples.bench;

import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.statemachine.SnapshotWriter;
import dev.raft.api.statemachine.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The benchmark's state machine, which costs next to nothing, like the Aeron Cluster peer's echo service: it adds
 * the first 8 bytes of each command (as a little-endian long, 0 if shorter) to a running sum and answers with the
 * command's own bytes. The snapshot is the sum and the last applied id.
 */
public final class EchoStateMachine implements StateMachine {
    private long sum;
    private long lastTerm;
    private long lastIndex;

    /** An empty state: sum 0, nothing applied. */
    public EchoStateMachine() {
    }

    @Override
    public byte[] apply(EntryView entry) {
        final byte[] echo = new byte[entry.payloadLength()];
        return apply(entry, new UnsafeBuffer(echo)) < 0 ? null : echo;
    }

    /** Applies without allocating: the echo is written into {@code response} only where a proposer waits for it. */
    @Override
    public int apply(EntryView entry, MutableDirectBuffer response) {
        if (entry.index() != lastIndex + 1) {
            throw new IllegalStateException("EchoStateMachine.apply: entry " + entry.index() + " does not follow the last applied "
                + lastIndex);
        }
        lastTerm = entry.term();
        lastIndex = entry.index();
        if (entry.type() != EntryType.NORMAL) {
            return -1;
        }
        final int length = entry.payloadLength();
        if (length >= Long.BYTES) {
            sum += entry.payload().getLong(0, java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        if (response != null) {
            response.putBytes(0, entry.payload(), 0, length);
        }
        return length;
    }

    /** Answers a query (a read without the log) with its own bytes, like an applied command; changes nothing. */
    @Override
    public byte[] query(DirectBuffer query, int offset, int length) {
        final byte[] echo = new byte[length];
        query.getBytes(offset, echo);
        return echo;
    }

    @Override
    public LogId lastApplied() {
        return LogId.of(lastTerm, lastIndex);
    }

    /** The running sum of the applied commands' first 8 bytes. */
    public long sum() {
        return sum;
    }

    @Override
    public SnapshotWriter takeSnapshot() {
        final LogId at = lastApplied();
        final long captured = sum;
        return new SnapshotWriter() {
            @Override
            public LogId lastApplied() {
                return at;
            }

            @Override
            public void writeTo(java.io.OutputStream out) throws IOException {
                final DataOutputStream data = new DataOutputStream(out);
                data.writeLong(captured);
                data.flush();
            }
        };
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream data) throws IOException {
        sum = new DataInputStream(data).readLong();
        lastTerm = meta.lastLogId().term();
        lastIndex = meta.lastLogId().index();
    }
}
