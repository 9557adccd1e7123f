package dev.raft.core.session;

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
import java.io.OutputStream;

/**
 * A test application: counts the NORMAL entries it executes and answers each with the count and the command's
 * first byte; checks that entries arrive in index order.
 */
final class CountingApplication implements StateMachine {
    long executed;
    LogId lastApplied = LogId.NONE;
    int responseLength = 9;

    @Override
    public byte[] apply(EntryView entry) {
        if (entry.index() != lastApplied.index() + 1) {
            throw new IllegalStateException("entry " + entry.index() + " after " + lastApplied);
        }
        lastApplied = LogId.of(entry.term(), entry.index());
        if (entry.type() != EntryType.NORMAL) {
            return null;
        }
        executed++;
        final byte[] response = new byte[responseLength];
        response[0] = entry.payloadLength() > 0 ? entry.payload().getByte(0) : -1;
        for (int i = 1; i < Math.min(9, responseLength); i++) {
            response[i] = (byte) (executed >>> (8 * (i - 1)));
        }
        return response;
    }

    @Override
    public LogId lastApplied() {
        return lastApplied;
    }

    @Override
    public SnapshotWriter takeSnapshot() {
        final long count = executed;
        final LogId last = lastApplied;
        return new SnapshotWriter() {
            @Override
            public LogId lastApplied() {
                return last;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                final DataOutputStream data = new DataOutputStream(out);
                data.writeLong(count);
                data.writeLong(last.term());
                data.writeLong(last.index());
                data.flush();
            }
        };
    }

    @Override
    public void restore(SnapshotMeta meta, InputStream in) throws IOException {
        final DataInputStream data = new DataInputStream(in);
        executed = data.readLong();
        lastApplied = LogId.of(data.readLong(), data.readLong());
    }
}
