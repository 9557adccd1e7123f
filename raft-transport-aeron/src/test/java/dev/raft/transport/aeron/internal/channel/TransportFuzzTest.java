package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.message.MessageType;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.TimeoutNowRequest;
import dev.raft.api.transport.MessageHandler;
import dev.raft.transport.aeron.AeronTransportConfig;
import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import dev.raft.transport.aeron.internal.counters.TransportCounters;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import java.util.EnumMap;
import java.util.Map;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 100,000 random, header-faulted, truncated and bit-flipped frames sent over real Aeron UDP by a raw
 * publication to a live transport's endpoint, with valid marker frames interleaved. Nothing escapes
 * {@code poll}; every frame is either delivered or dropped and counted; every frame that cannot be
 * valid is dropped (header faults with their exact reason); every marker arrives, in order.
 */
class TransportFuzzTest {
    private static final int FRAMES = 100_000;
    private static final long MARKER_TERM = 0x5EED_0000_0000L;

    private long nextMarker;
    private long deliveredOthers;

    @Test
    @Timeout(120)
    void liveTransportSurvivesAHundredThousandFuzzFrames() {
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}, 2)) {
            cluster.updateMembership(Messages.MEMBERS);
            final AeronTransport target = cluster.get(2);
            final AeronTransportConfig senderConfig = cluster.config(1).build();
            MediaDriver driver = null;
            Aeron aeron = null;
            try {
                driver = MediaDriver.launch(EmbeddedDriver.driverContext(senderConfig));
                aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(senderConfig.aeronDirectory()));
                final ExclusivePublication publication = aeron.addExclusivePublication(
                    senderConfig.publicationChannel(cluster.endpoints.get(2)), senderConfig.streamId());
                run(target, publication);
            } finally {
                CloseHelper.closeAll(aeron, driver);
            }
        }
    }

    private void run(AeronTransport target, ExclusivePublication publication) {
        final MessageHandler handler = this::onMessage;
        LiveCluster.await(publication::isConnected, "raw publication connected");
        final FuzzFrames fuzz = new FuzzFrames(7L);
        final TimeoutNowRequest marker = new TimeoutNowRequest();
        final Map<ReceiveDrop, Long> definite = new EnumMap<>(ReceiveDrop.class);
        long markers = 0;
        long valid = 0;
        long mustDrop = 0;
        long either = 0;
        for (int i = 0; i < FRAMES; i++) {
            final boolean isMarker = i % 10 == 0;
            fuzz.next(isMarker ? Messages.frame(marker.set(3, 2, MARKER_TERM + markers)) : null);
            switch (fuzz.expect()) {
                case DELIVER -> {
                    if (isMarker) {
                        markers++;
                    } else {
                        valid++;
                    }
                }
                case DROP -> {
                    mustDrop++;
                    if (fuzz.reason() != null) {
                        definite.merge(fuzz.reason(), 1L, Long::sum);
                    }
                }
                case EITHER -> either++;
            }
            long result;
            while ((result = publication.offer(fuzz.buffer(), 0, fuzz.length())) < 0) {
                assertTrue(result != Publication.CLOSED && result != Publication.MAX_POSITION_EXCEEDED, "offer " + result);
                target.poll(handler, 1000);
            }
            if ((i & 63) == 0) {
                target.poll(handler, 1000);
            }
        }
        final TransportCounters counters = target.counters();
        LiveCluster.await(() -> {
            target.poll(handler, 1000);
            return counters.framesIn() == FRAMES;
        }, "all " + FRAMES + " frames at the target");

        assertEquals(FRAMES, counters.messagesDelivered() + counters.totalReceiveDrops(), "every frame delivered or dropped");
        assertEquals(markers, nextMarker, "every interleaved marker delivered, in order");
        assertTrue(deliveredOthers >= valid && deliveredOthers <= valid + either,
            "delivered " + deliveredOthers + " non-markers; valid " + valid + ", bit-flipped " + either);
        assertTrue(counters.totalReceiveDrops() >= mustDrop, "drops " + counters.totalReceiveDrops() + " < bad frames " + mustDrop);
        for (Map.Entry<ReceiveDrop, Long> e : definite.entrySet()) {
            assertTrue(counters.drops(e.getKey()) >= e.getValue(), e.getKey() + ": " + counters.drops(e.getKey())
                + " counted, " + e.getValue() + " sent");
        }
        assertEquals(0, counters.drops(ReceiveDrop.DECODE_ERROR), "validation caught everything before decoding threw");
    }

    private void onMessage(RaftMessage message) {
        message.validateHeader();
        if (message.type() == MessageType.TIMEOUT_NOW_REQUEST && message.from() == 3
            && (message.term() & ~0xFFFF_FFFFL) == MARKER_TERM) {
            // 11 bits of MARKER_TERM set: no bit flip (at most 4) of a pool frame (terms < 2^20) looks like a marker
            assertEquals(MARKER_TERM + nextMarker, message.term(), "marker order");
            nextMarker++;
        } else {
            deliveredOthers++;
        }
    }
}
