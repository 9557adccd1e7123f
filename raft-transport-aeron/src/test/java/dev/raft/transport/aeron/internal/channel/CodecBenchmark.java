package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.Membership;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode of one frame, as the transport does it (encode into a direct buffer, validate and decode
 * into the reusable message). Run with {@code -prof gc} for B/op; see the module README for the command.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class CodecBenchmark {
    private final MessageEncoder encoder = new MessageEncoder(7);
    private final FrameDecoder decoder = new FrameDecoder(7, 2);
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4 * 1024 * 1024));
    private final AppendEntriesRequest oneEntry = new AppendEntriesRequest();
    private final AppendEntriesRequest sixtyFourEntries = new AppendEntriesRequest();
    private final InstallSnapshotRequest snapshotChunk = new InstallSnapshotRequest();

    /** Builds the messages. */
    @Setup
    public void setUp() {
        final Membership members = Membership.of(1, 2, 3);
        decoder.membership(members);
        final byte[] payload = new byte[64];
        oneEntry.set(1, 2, 5, 1000, 5, 999).entries().add(5, 1001, EntryType.NORMAL, payload);
        sixtyFourEntries.set(1, 2, 5, 1000, 5, 999);
        for (int i = 0; i < 64; i++) {
            sixtyFourEntries.entries().add(5, 1001 + i, EntryType.NORMAL, payload);
        }
        final byte[] chunk = new byte[1024 * 1024];
        snapshotChunk.set(1, 2, 5, new SnapshotMeta("5-1000-bench", LogId.of(5, 1000), members), 0,
            new UnsafeBuffer(chunk), 0, chunk.length, false);
    }

    private RaftMessage roundTrip(RaftMessage message) {
        final int length = encoder.encode(message, buffer, 0);
        final ReceiveDrop drop = decoder.decode(buffer, 0, length);
        if (drop != null) {
            throw new IllegalStateException("dropped: " + drop);
        }
        return decoder.message();
    }

    /** AppendEntries with one 64-byte entry. */
    @Benchmark
    public RaftMessage appendEntries1x64B() {
        return roundTrip(oneEntry);
    }

    /** AppendEntries with 64 entries of 64 bytes. */
    @Benchmark
    public RaftMessage appendEntries64x64B() {
        return roundTrip(sixtyFourEntries);
    }

    /** InstallSnapshot with a 1 MiB chunk. */
    @Benchmark
    public RaftMessage installSnapshot1MiB() {
        return roundTrip(snapshotChunk);
    }
}
