package dev.raft.transport.aeron.internal.channel;

import dev.raft.api.EntryType;
import dev.raft.api.Membership;
import dev.raft.api.message.AppendEntriesRequest;
import dev.raft.api.message.AppendEntriesResponse;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.transport.MessageHandler;
import dev.raft.transport.aeron.AeronTransportConfig;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.agrona.CloseHelper;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Round-trip latency of our transport against raw Aeron, in the same run, on the same two embedded
 * media drivers (one per node, the transport's default settings), on 127.0.0.1.
 *
 * <p>Ours: node 1 sends an AppendEntries with one 64-byte entry, node 2 decodes it and answers with an
 * AppendEntriesResponse, node 1 decodes that. Raw: frames of exactly the same lengths offered on an
 * exclusive publication and echoed by a plain fragment handler, without SBE. One message in flight; the
 * ping and echo threads wait with the configured idle strategy. Round trips alternate raw and ours one by
 * one, so both see the same machine load; the first round is warm-up. Arguments: {@code [messagesPerRound=20000] [rounds=5]}.
 */
public final class PingPongBenchmark {
    private static final int RAW_STREAM = 2002;

    private PingPongBenchmark() {
    }

    /** Runs the benchmark and prints one line per path and the p99 ratio. */
    public static void main(String[] args) throws InterruptedException {
        final int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        final int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        final LiveCluster cluster = new LiveCluster(new int[] {1, 2}, 1, 2);
        final String raw1 = "127.0.0.1:" + LiveCluster.freeUdpPort();
        final String raw2 = "127.0.0.1:" + LiveCluster.freeUdpPort();
        final AeronTransportConfig config = cluster.config(1).build();
        final AeronTransport one = cluster.get(1);
        final AeronTransport two = cluster.get(2);
        cluster.updateMembership(Membership.of(1, 2));
        final ExclusivePublication rawPub1 = one.aeron().addExclusivePublication(config.publicationChannel(raw2), RAW_STREAM);
        final Subscription rawSub2 = two.aeron().addSubscription("aeron:udp?endpoint=" + raw2, RAW_STREAM);
        final ExclusivePublication rawPub2 = two.aeron().addExclusivePublication(config.publicationChannel(raw1), RAW_STREAM);
        final Subscription rawSub1 = one.aeron().addSubscription("aeron:udp?endpoint=" + raw1, RAW_STREAM);
        cluster.awaitConnected();
        LiveCluster.await(() -> rawPub1.isConnected() && rawPub2.isConnected(), "raw publications connected");

        final AppendEntriesRequest ping = new AppendEntriesRequest();
        ping.set(1, 2, 1, 0, 0, 0).entries().add(1, 1, EntryType.NORMAL, new byte[64]);
        final MessageEncoder sizer = new MessageEncoder(config.clusterId());
        final int pingLength = sizer.encodedLength(ping);
        final int pongLength = sizer.encodedLength(new AppendEntriesResponse().success(2, 1, 1, 1, 1));

        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread echo = new Thread(() -> echoLoop(two, rawSub2, rawPub2, pongLength, running, EmbeddedDriver.idleStrategy(config)),
            "echo");
        echo.start();
        final Histogram rawHistogram = new Histogram(10_000_000_000L, 3);
        final Histogram ourHistogram = new Histogram(10_000_000_000L, 3);
        final Pinger pinger = new Pinger(one, rawPub1, rawSub1, ping, pingLength, EmbeddedDriver.idleStrategy(config));
        try {
            final Histogram warmup = new Histogram(10_000_000_000L, 3);
            for (int round = 0; round < rounds + 1; round++) {
                for (int i = 0; i < messages; i++) {
                    pinger.raw(round == 0 ? warmup : rawHistogram);
                    pinger.ours(round == 0 ? warmup : ourHistogram);
                }
            }
        } finally {
            running.set(false);
            echo.join();
            CloseHelper.closeAll(rawPub1, rawSub1, rawPub2, rawSub2, cluster);
        }
        System.out.printf("ping-pong %d B / %d B frames, %d x %d round trips each, %s, %s driver, %d cores%n",
            pingLength, pongLength, rounds, messages, config.idleMode(), config.threadingMode(),
            Runtime.getRuntime().availableProcessors());
        print("raw Aeron", rawHistogram);
        print("transport", ourHistogram);
        System.out.printf("p99 ratio transport/raw = %.2f (target <= 1.20)%n",
            (double) ourHistogram.getValueAtPercentile(99) / rawHistogram.getValueAtPercentile(99));
    }

    private static void print(String name, Histogram h) {
        System.out.printf("%-9s RTT us: p50=%.1f p90=%.1f p99=%.1f p99.9=%.1f max=%.1f n=%d%n", name,
            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(90) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
            h.getValueAtPercentile(99.9) / 1000.0, h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    private static void echoLoop(AeronTransport two, Subscription rawSub, ExclusivePublication rawPub, int pongLength,
                                 AtomicBoolean running, IdleStrategy idle) {
        final AppendEntriesResponse pong = new AppendEntriesResponse();
        final MessageHandler ours = m -> {
            final AppendEntriesRequest request = (AppendEntriesRequest) m;
            two.send(pong.success(2, 1, request.term(), request.leaderCommit(), request.entries().lastIndex()));
        };
        final FragmentHandler raw = (buffer, offset, length, header) -> {
            while (rawPub.offer(buffer, offset, pongLength) < 0) {
                Thread.onSpinWait();
            }
        };
        while (running.get()) {
            idle.idle(two.poll(ours, 16) + rawSub.poll(raw, 16));
        }
    }

    /** The ping side: one message in flight, RTT recorded in nanoseconds. */
    private static final class Pinger {
        private final AeronTransport one;
        private final ExclusivePublication rawPub;
        private final Subscription rawSub;
        private final AppendEntriesRequest ping;
        private final UnsafeBuffer rawFrame;
        private final IdleStrategy idle;
        private final MessageHandler onPong = this::onPong;
        private final FragmentHandler onRawPong = (buffer, offset, length, header) -> record(buffer.getLong(offset));
        private Histogram histogram;
        private boolean answered;

        Pinger(AeronTransport one, ExclusivePublication rawPub, Subscription rawSub, AppendEntriesRequest ping,
               int pingLength, IdleStrategy idle) {
            this.one = one;
            this.rawPub = rawPub;
            this.rawSub = rawSub;
            this.ping = ping;
            this.rawFrame = new UnsafeBuffer(new byte[pingLength]);
            this.idle = idle;
        }

        /** One raw round trip. */
        void raw(Histogram into) {
            histogram = into;
            answered = false;
            rawFrame.putLong(0, System.nanoTime());
            while (rawPub.offer(rawFrame, 0, rawFrame.capacity()) < 0) {
                Thread.onSpinWait();
            }
            idle.reset();
            while (!answered) {
                idle.idle(rawSub.poll(onRawPong, 1));
            }
        }

        /** One round trip through the transports. */
        void ours(Histogram into) {
            histogram = into;
            answered = false;
            ping.set(1, 2, 1, 0, 0, System.nanoTime()).entries().add(1, 1, EntryType.NORMAL, rawFrame, 0, 64);
            while (!one.send(ping)) {
                Thread.onSpinWait();
            }
            idle.reset();
            while (!answered) {
                idle.idle(one.poll(onPong, 1));
            }
        }

        private void onPong(RaftMessage message) {
            record(((AppendEntriesResponse) message).matchIndex());
        }

        private void record(long sentNanos) {
            histogram.recordValue(System.nanoTime() - sentNanos);
            answered = true;
        }
    }
}
