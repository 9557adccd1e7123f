package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.transport.aeron.internal.counters.ReceiveDrop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The decode path alone (no try/catch around it, unlike the transport) on 300,000 fuzz frames: it never
 * throws, drops every frame that cannot be valid with the right reason, decodes every valid one, and a
 * message it decodes from a bit-flipped frame always has a valid header.
 */
class FrameDecoderFuzzTest {
    @Test
    @Timeout(60)
    void fuzzFramesNeverThrowAndBadOnesAreDropped() {
        final FrameDecoder decoder = new FrameDecoder(Messages.CLUSTER, 2);
        decoder.membership(Messages.MEMBERS);
        final FuzzFrames fuzz = new FuzzFrames(20261124L);
        int eitherDecoded = 0;
        for (int i = 0; i < 300_000; i++) {
            fuzz.next(null);
            final int at = i;
            final ReceiveDrop drop = decoder.decode(fuzz.buffer(), 0, fuzz.length());
            switch (fuzz.expect()) {
                case DELIVER -> assertNull(drop, () -> "valid frame " + at + " dropped");
                case DROP -> {
                    assertNotNull(drop, () -> "bad frame " + at + " decoded as " + decoder.message());
                    if (fuzz.reason() != null) {
                        assertEquals(fuzz.reason(), drop, "frame " + at);
                    }
                }
                case EITHER -> {
                    if (drop == null) {
                        eitherDecoded++;
                        decoder.message().validateHeader();
                    }
                }
            }
            assertTrue(drop != ReceiveDrop.DECODE_ERROR);
        }
        assertTrue(eitherDecoded > 0, "some bit flips land in values and still decode");
    }
}
