package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.auth.KeyFile;
import dev.raft.transport.aeron.auth.MacKeys;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode + decode of one frame, as the transport does it (encode into a direct buffer, validate and decode
 * into the reusable message). Run with {@code -prof gc} for B/op; see the module README for the command.
 * {@code -p authenticated=false,true} compares plain frames with authenticated ones (trailer sealed on encode,
 * tag verified before decode, sequence checked after), the per-frame cost of a key file.
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
    private final AppendEntriesRequest oneEntry = Messages.appendEntries(1, 64);
    private final AppendEntriesRequest sixtyFourEntries = Messages.appendEntries(64, 64);
    private final InstallSnapshotRequest snapshotChunk = Messages.snapshotChunk(1024 * 1024);
    /** Whether frames carry and are checked for the authentication trailer. */
    @Param({"false", "true"})
    public boolean authenticated;
    private FrameGuard guard;

    /** Accepts frames from the members. */
    @Setup
    public void setUp() {
        decoder.membership(Messages.MEMBERS);
        if (authenticated) {
            final AeronTransportConfig config = AeronTransportConfig.builder().nodeId(2).endpoint(2, "127.0.0.1:1")
                .keyFile(Path.of("unused.key")).keyReloadMillis(0).build();
            guard = new FrameGuard(config, MacKeys.of(KeyFile.randomKey()), null);
        }
    }

    private RaftMessage roundTrip(RaftMessage message) {
        int length = encoder.encode(message, buffer, 0);
        if (guard != null) {
            guard.seal(buffer, 0, length);
            length += FrameGuard.TRAILER_LENGTH;
            if (!guard.verify(buffer, 0, length)) {
                throw new IllegalStateException("bad-mac");
            }
            length -= FrameGuard.TRAILER_LENGTH;
        }
        final ReceiveDrop drop = decoder.decode(buffer, 0, length);
        if (guard != null && drop == null && !guard.fresh(message.from())) {
            throw new IllegalStateException("replay");
        }
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
