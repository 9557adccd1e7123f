package dev.raft.transport.aeron.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Tags equal javax.crypto's HmacSHA256; any change to a signed frame, any other key, is refused; no allocation. */
class FrameAuthenticatorTest {
    private static final Random RND = new Random(11);
    private static final byte[] KEY_A = key(1);
    private static final byte[] KEY_B = key(2);

    private static byte[] key(int seed) {
        final byte[] k = new byte[MacKeys.KEY_LENGTH];
        new Random(seed).nextBytes(k);
        return k;
    }

    private static byte[] referenceTag(byte[] key, byte[] data, int offset, int length) throws Exception {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(data, offset, length);
        return Arrays.copyOf(mac.doFinal(), FrameAuthenticator.TAG_LENGTH);
    }

    @Test
    void tagsAreTruncatedHmacSha256OverEveryByteOnHeapAndOffHeap() throws Exception {
        final FrameAuthenticator auth = new FrameAuthenticator(MacKeys.of(KEY_A));
        for (int length : new int[] {0, 1, 20, 63, 64, 65, 1000, 4095, 4096, 4097, 70_000}) {
            final byte[] data = new byte[length];
            RND.nextBytes(data);
            final byte[] expected = referenceTag(KEY_A, data, 0, length);
            for (MutableDirectBuffer buffer : new MutableDirectBuffer[] {
                new UnsafeBuffer(new byte[length + 100], 7, length + 50),
                new UnsafeBuffer(ByteBuffer.allocateDirect(length + 100), 7, length + 50)}) {
                buffer.putBytes(3, data);
                assertEquals(length + FrameAuthenticator.TAG_LENGTH, auth.sign(buffer, 3, length));
                final byte[] tag = new byte[FrameAuthenticator.TAG_LENGTH];
                buffer.getBytes(3 + length, tag);
                assertArrayEquals(expected, tag, "length " + length + " in " + buffer.getClass().getSimpleName());
                assertTrue(auth.verify(buffer, 3, length + FrameAuthenticator.TAG_LENGTH));
            }
        }
    }

    @Test
    void rfc4231TestCase2() {
        // RFC 4231 4.3: key "Jefe" is shorter than MacKeys allows; its vector is checked through the same code
        // path with the key zero-padded to 32 bytes, which HMAC defines as the same key.
        final byte[] jefe = Arrays.copyOf("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII), MacKeys.KEY_LENGTH);
        final FrameAuthenticator auth = new FrameAuthenticator(MacKeys.of(jefe));
        final byte[] message = "what do ya want for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[message.length + FrameAuthenticator.TAG_LENGTH]);
        buffer.putBytes(0, message);
        auth.sign(buffer, 0, message.length);
        final byte[] tag = new byte[FrameAuthenticator.TAG_LENGTH];
        buffer.getBytes(message.length, tag);
        assertEquals("5bdcc146bf60754e6a042426089575c7", HexFormat.of().formatHex(tag));
    }

    @Test
    void everyBitFlipTruncationAndForeignKeyIsRefused() {
        final FrameAuthenticator signer = new FrameAuthenticator(MacKeys.of(KEY_A));
        final FrameAuthenticator verifier = new FrameAuthenticator(MacKeys.of(KEY_A));
        final int length = 120;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length + FrameAuthenticator.TAG_LENGTH]);
        for (int i = 0; i < length; i++) {
            frame.putByte(i, (byte) RND.nextInt());
        }
        final int signed = signer.sign(frame, 0, length);
        assertTrue(verifier.verify(frame, 0, signed));
        for (int bit = 0; bit < signed * 8; bit++) {
            frame.putByte(bit / 8, (byte) (frame.getByte(bit / 8) ^ (1 << (bit % 8))));
            assertFalse(verifier.verify(frame, 0, signed), "bit " + bit + " flipped");
            frame.putByte(bit / 8, (byte) (frame.getByte(bit / 8) ^ (1 << (bit % 8))));
        }
        for (int cut = 0; cut < signed; cut++) {
            assertFalse(verifier.verify(frame, 0, cut), "truncated to " + cut);
        }
        assertFalse(new FrameAuthenticator(MacKeys.of(KEY_B)).verify(frame, 0, signed), "another key");
        assertTrue(verifier.verify(frame, 0, signed));
    }

    @Test
    void theSecondKeyIsAcceptedButNeverSigns() {
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[64 + FrameAuthenticator.TAG_LENGTH]);
        final int signedWithA = new FrameAuthenticator(MacKeys.of(KEY_A)).sign(frame, 0, 64);
        assertTrue(new FrameAuthenticator(MacKeys.of(KEY_B, KEY_A)).verify(frame, 0, signedWithA), "A as the second key");
        assertTrue(new FrameAuthenticator(MacKeys.of(KEY_A, KEY_B)).verify(frame, 0, signedWithA), "A as the current key");
        assertFalse(new FrameAuthenticator(MacKeys.of(KEY_B)).verify(frame, 0, signedWithA), "B alone");

        final FrameAuthenticator rotating = new FrameAuthenticator(MacKeys.of(KEY_A, KEY_B));
        rotating.keys(MacKeys.of(KEY_B, KEY_A));
        rotating.sign(frame, 0, 64);
        assertTrue(new FrameAuthenticator(MacKeys.of(KEY_B)).verify(frame, 0, signedWithA), "signs with the new current key");
        assertFalse(new FrameAuthenticator(MacKeys.of(KEY_A)).verify(frame, 0, signedWithA));
    }

    @Test
    void signingAndVerifyingAllocateNothing() {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        final FrameAuthenticator auth = new FrameAuthenticator(MacKeys.of(KEY_B, KEY_A));
        final FrameAuthenticator other = new FrameAuthenticator(MacKeys.of(KEY_A));
        final UnsafeBuffer heap = new UnsafeBuffer(new byte[2048]);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
        boolean all = true;
        for (int round = 0; round < 2; round++) {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50_000; i++) {
                all &= auth.verify(heap, 0, auth.sign(heap, 0, 100 + (i & 1023)));
                all &= auth.verify(direct, 0, other.sign(direct, 0, 9000 + (i & 1023))); // the second key
            }
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertEquals(0, allocated, "bytes allocated by 200,000 signatures and verifications after warm-up");
            }
        }
        assertTrue(all);
    }

    @Test
    void keysAreNeverPrinted() {
        assertFalse(MacKeys.of(KEY_A, KEY_B).toString().contains(HexFormat.of().formatHex(KEY_A).substring(0, 8)));
        assertEquals(MacKeys.of(KEY_A, KEY_B), MacKeys.ofHex(HexFormat.of().formatHex(KEY_A), HexFormat.of().formatHex(KEY_B)));
    }
}
