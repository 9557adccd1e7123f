package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.EntryType;
import dev.raft.api.LogId;
import dev.raft.api.SnapshotMeta;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.InstallSnapshotRequest;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole transport path on one thread: node 1 sends (encode into the publication), the drivers carry
 * the frame over UDP on 127.0.0.1, node 2 polls (reassemble, validate, decode, deliver). With
 * {@code -prof gc}, B/op covers every thread of the JVM, the media drivers included.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class TransportBenchmark {
    private LiveCluster cluster;
    private AeronTransport one;
    private AeronTransport two;
    private final AppendEntriesRequest sixtyFourEntries = new AppendEntriesRequest();
    private final InstallSnapshotRequest snapshotChunk = new InstallSnapshotRequest();
    private final MessageHandler handler = this::onMessage;
    private long received;

    /** Starts two transports and builds the messages. */
    @Setup
    public void setUp() {
        cluster = new LiveCluster(new int[] {1, 2}, 1, 2);
        cluster.updateMembership(Messages.MEMBERS);
        cluster.awaitConnected();
        one = cluster.get(1);
        two = cluster.get(2);
        final byte[] payload = new byte[64];
        sixtyFourEntries.set(1, 2, 5, 1000, 5, 999);
        for (int i = 0; i < 64; i++) {
            sixtyFourEntries.entries().add(5, 1001 + i, EntryType.NORMAL, payload);
        }
        final byte[] chunk = new byte[1024 * 1024];
        snapshotChunk.set(1, 2, 5, new SnapshotMeta("5-1000-bench", LogId.of(5, 1000), Messages.MEMBERS), 0,
            new UnsafeBuffer(chunk), 0, chunk.length, false);
    }

    /** Closes the transports. */
    @TearDown
    public void tearDown() {
        cluster.close();
    }

    private void onMessage(RaftMessage message) {
        received++;
    }

    private long sendAndReceive(RaftMessage message) {
        final long expected = received + 1;
        while (!one.send(message)) {
            two.poll(handler, 16);
        }
        while (received < expected) {
            two.poll(handler, 16);
        }
        return received;
    }

    /** AppendEntries with 64 entries of 64 bytes (one frame, tryClaim). */
    @Benchmark
    public long appendEntries64x64B() {
        return sendAndReceive(sixtyFourEntries);
    }

    /** InstallSnapshot with a 1 MiB chunk (offer, fragmented and reassembled). */
    @Benchmark
    public long installSnapshot1MiB() {
        return sendAndReceive(snapshotChunk);
    }
}
