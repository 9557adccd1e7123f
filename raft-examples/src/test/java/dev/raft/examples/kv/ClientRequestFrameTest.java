package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.examples.internal.codec.AnswerForm;
import dev.raft.examples.internal.codec.ClientRequestEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Every rule of the request check, one by one, on frames built in place; and that logged bytes are escaped. */
class ClientRequestFrameTest {
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 7 + 1);
        }
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);

    private static final int BLOCK = ClientRequestEncoder.BLOCK_LENGTH;

    /** Encodes a request without a session at offset 0; returns its length. */
    static int request(UnsafeBuffer buffer, RequestKind kind, byte[] command, String replyTo) {
        return request(buffer, kind, command, replyTo, 0, 0, 0);
    }

    /** Encodes a request with the given session fields at offset 0; returns its length. */
    static int request(UnsafeBuffer buffer, RequestKind kind, byte[] command, String replyTo, long clientId, long sequence,
                       long ackedBelow) {
        return request(buffer, 42, kind, command, replyTo, clientId, sequence, ackedBelow, AnswerForm.FULL);
    }

    /** Encodes a request with every field given at offset 0; returns its length. */
    static int request(UnsafeBuffer buffer, long correlationId, RequestKind kind, byte[] command, String replyTo,
                       long clientId, long sequence, long ackedBelow, AnswerForm answerForm) {
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .kind(kind)
            .clientId(clientId)
            .sequence(sequence)
            .ackedBelow(ackedBelow)
            .answerForm(answerForm)
            .putCommand(command, 0, command.length);
        encoder.replyTo(replyTo);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    private static ClientRequestFrame frame() {
        return new ClientRequestFrame(null, 1024);
    }

    @Test
    void aWellFormedRequestIsAcceptedAndDescribed() {
        final int length = request(buffer, RequestKind.COMMAND, "abc".getBytes(StandardCharsets.US_ASCII), "127.0.0.1:4000");
        final ClientRequestFrame frame = frame();
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertEquals(42, frame.correlationId());
        assertTrue(frame.isCommand());
        assertEquals(3, frame.commandLength());
        assertEquals('a', buffer.getByte(frame.commandOffset()));
        assertEquals("127.0.0.1:4000", buffer.getStringWithoutLengthAscii(frame.replyToOffset(), frame.replyToLength()));
    }

    @Test
    void aCommandClaimingTwoGibibytesInAFortySevenByteFrameIsMalformed() {
        final int length = request(buffer, RequestKind.COMMAND, new byte[0], "127.0.0.1:4000");
        buffer.putInt(8 + BLOCK, Integer.MIN_VALUE, ByteOrder.LITTLE_ENDIAN); // 2 GiB as uint32
        assertEquals(ClientRequestFrame.Verdict.BAD_COMMAND_LENGTH, frame().parse(buffer, 0, 8 + BLOCK + 6));
        buffer.putInt(8 + BLOCK, -1, ByteOrder.LITTLE_ENDIAN); // 4 GiB - 1
        assertEquals(ClientRequestFrame.Verdict.BAD_COMMAND_LENGTH, frame().parse(buffer, 0, length));
    }

    @Test
    void aReplyEndpointLengthPastTheFrameOrTheLimitIsMalformed() {
        final int length = request(buffer, RequestKind.STATUS, new byte[0], "127.0.0.1:4000");
        final int replyToLength = 8 + BLOCK + 4;
        buffer.putShort(replyToLength, (short) 0xFFFF, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ClientRequestFrame.Verdict.BAD_REPLY_TO, frame().parse(buffer, 0, length));
        final String tooLong = "1".repeat(ClientProtocol.MAX_REPLY_TO_BYTES - 4) + ".1:40";
        final int longLength = request(buffer, RequestKind.STATUS, new byte[0], tooLong);
        assertEquals(ClientRequestFrame.Verdict.BAD_REPLY_TO, frame().parse(buffer, 0, longLength));
    }

    @Test
    void aReplyEndpointThatIsNoHostAndPortIsMalformed() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:", ":4000", "host:40x0", "h\nst:4000", "a b:1", "h:123456"}) {
            final int length = request(buffer, RequestKind.STATUS, new byte[0], bad);
            assertEquals(ClientRequestFrame.Verdict.BAD_REPLY_TO, frame().parse(buffer, 0, length), bad);
        }
        assertEquals(ClientRequestFrame.Verdict.OK, frame().parse(buffer, 0,
            request(buffer, RequestKind.STATUS, new byte[0], "[::1]:4000")));
    }

    @Test
    void everyTruncationAndEveryTrailingByteIsMalformed() {
        final int length = request(buffer, RequestKind.COMMAND, new byte[100], "127.0.0.1:4000");
        for (int cut = 0; cut < length; cut++) {
            final ClientRequestFrame.Verdict verdict = frame().parse(buffer, 0, cut);
            assertTrue(verdict != ClientRequestFrame.Verdict.OK && verdict != ClientRequestFrame.Verdict.OVERSIZE,
                "truncated to " + cut + ": " + verdict);
        }
        assertEquals(ClientRequestFrame.Verdict.BAD_FRAME_LENGTH, frame().parse(buffer, 0, length + 1));
    }

    @Test
    void foreignSchemasTemplatesVersionsBlocksAndKindsAreMalformed() {
        final int length = request(buffer, RequestKind.COMMAND, new byte[4], "127.0.0.1:4000");
        assertEquals(ClientRequestFrame.Verdict.SHORT, frame().parse(buffer, 0, 7));
        final int[][] edits = {{4, 1}, {2, 1}, {6, 0}, {6, 99}};
        for (int[] edit : edits) {
            final short saved = buffer.getShort(edit[0], ByteOrder.LITTLE_ENDIAN);
            buffer.putShort(edit[0], (short) edit[1], ByteOrder.LITTLE_ENDIAN);
            assertEquals(ClientRequestFrame.Verdict.FOREIGN, frame().parse(buffer, 0, length), "header field at " + edit[0]);
            buffer.putShort(edit[0], saved, ByteOrder.LITTLE_ENDIAN);
        }
        buffer.putShort(0, (short) 3, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ClientRequestFrame.Verdict.BAD_BLOCK, frame().parse(buffer, 0, length));
        buffer.putShort(0, (short) 60000, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ClientRequestFrame.Verdict.BAD_BLOCK, frame().parse(buffer, 0, length));
        buffer.putShort(0, (short) ClientRequestFrame.BLOCK_LENGTH_V2, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ClientRequestFrame.Verdict.BAD_BLOCK, frame().parse(buffer, 0, length), "a version 3 block without the session fields");
        buffer.putShort(0, (short) BLOCK, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(8 + 8, (byte) 7);
        assertEquals(ClientRequestFrame.Verdict.BAD_KIND, frame().parse(buffer, 0, length));
    }

    @Test
    void theAnswerFormIsReadFromVersionFourAndAVersionThreeFrameGetsFullAnswers() {
        final byte[] command = "abc".getBytes(StandardCharsets.US_ASCII);
        int length = request(buffer, RequestKind.COMMAND, command, "127.0.0.1:4000");
        final ClientRequestFrame frame = frame();
        buffer.putByte(8 + 33, (byte) 1); // BRIEF
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertTrue(frame.briefAnswers());
        buffer.putByte(8 + 33, (byte) 0); // FULL
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertFalse(frame.briefAnswers());
        buffer.putByte(8 + 33, (byte) 2);
        assertEquals(ClientRequestFrame.Verdict.BAD_ANSWER_FORM, frame.parse(buffer, 0, length));
        // version 3: a 33-byte block, no answer form
        buffer.putByte(8 + 33, (byte) 1);
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        buffer.putShort(0, (short) ClientRequestFrame.BLOCK_LENGTH_V3, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(6, (short) 3, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(8 + 33, buffer, 8 + 34, length - 8 - 34);
        length--;
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertFalse(frame.briefAnswers(), "a version 3 client gets full answers");
        assertEquals(3, frame.commandLength());
        assertEquals("127.0.0.1:4000", buffer.getStringWithoutLengthAscii(frame.replyToOffset(), frame.replyToLength()));
        buffer.putShort(6, (short) 4, ByteOrder.LITTLE_ENDIAN);
        assertEquals(ClientRequestFrame.Verdict.BAD_BLOCK, frame.parse(buffer, 0, length), "version 4 needs the answer form");
    }

    @Test
    void readKindsParseWithTheirPolicy() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[512]);
        final byte[] get = KvCommands.get("k");
        for (RequestKind kind : new RequestKind[] {RequestKind.READ_LINEARIZABLE, RequestKind.READ_LEASE,
            RequestKind.READ_SERIALIZABLE}) {
            final int length = request(buffer, kind, get, "127.0.0.1:4000");
            final ClientRequestFrame frame = frame();
            assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length), kind.name());
            assertFalse(frame.isCommand());
            assertEquals(get.length, frame.commandLength());
            assertEquals(switch (kind) {
                case READ_LINEARIZABLE -> dev.raft.api.ReadPolicy.LINEARIZABLE_READ_INDEX;
                case READ_LEASE -> dev.raft.api.ReadPolicy.LEASE;
                default -> dev.raft.api.ReadPolicy.SERIALIZABLE;
            }, frame.readPolicy());
        }
        final int length = request(buffer, RequestKind.COMMAND, get, "127.0.0.1:4000");
        final ClientRequestFrame command = frame();
        assertEquals(ClientRequestFrame.Verdict.OK, command.parse(buffer, 0, length));
        assertEquals(null, command.readPolicy(), "a command is no read without the log");
    }

    @Test
    void theSessionFieldsAreReadFromTheBlock() {
        final int length = request(buffer, RequestKind.COMMAND, new byte[3], "127.0.0.1:4000", -5, 9, 7);
        final ClientRequestFrame frame = frame();
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertEquals(-5, frame.clientId());
        assertEquals(9, frame.sequence());
        assertEquals(7, frame.ackedBelow());
        assertEquals(3, frame.commandLength());
    }

    @Test
    void inconsistentSessionFieldsAreMalformed() {
        final long[][] bad = {{1, 0, 0}, {1, 5, 0}, {1, 5, 6}, {1, -1, -2}, {0, 1, 1}, {0, 0, 1}};
        for (long[] f : bad) {
            final int length = request(buffer, RequestKind.COMMAND, new byte[3], "127.0.0.1:4000", f[0], f[1], f[2]);
            assertEquals(ClientRequestFrame.Verdict.BAD_SESSION, frame().parse(buffer, 0, length), java.util.Arrays.toString(f));
        }
        final int status = request(buffer, RequestKind.STATUS, new byte[0], "127.0.0.1:4000", 1, 1, 1);
        assertEquals(ClientRequestFrame.Verdict.BAD_SESSION, frame().parse(buffer, 0, status), "a status request has no session");
    }

    @Test
    void aVersionTwoFrameIsACommandWithoutASession() {
        // version 2 layout: header, correlation id and kind (9 bytes), command, reply endpoint
        final byte[] command = {1, 2};
        final byte[] replyTo = "127.0.0.1:4000".getBytes(StandardCharsets.US_ASCII);
        int p = 0;
        buffer.putShort(p, (short) 9, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(p + 2, (short) ClientRequestEncoder.TEMPLATE_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(p + 4, (short) ClientRequestEncoder.SCHEMA_ID, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(p + 6, (short) 2, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(8, 77, ByteOrder.LITTLE_ENDIAN);
        buffer.putByte(16, ClientRequestFrame.KIND_COMMAND);
        p = 17;
        buffer.putInt(p, command.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(p + 4, command);
        p += 4 + command.length;
        buffer.putShort(p, (short) replyTo.length, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(p + 2, replyTo);
        p += 2 + replyTo.length;
        final ClientRequestFrame frame = frame();
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, p));
        assertEquals(77, frame.correlationId());
        assertEquals(0, frame.clientId());
        assertEquals(2, frame.commandLength());
    }

    @Test
    void aCommandLongerThanTheLimitIsOversizeButStillDescribedForTheRejection() {
        final int length = request(buffer, RequestKind.COMMAND, new byte[1025], "127.0.0.1:4000");
        final ClientRequestFrame frame = frame();
        assertEquals(ClientRequestFrame.Verdict.OVERSIZE, frame.parse(buffer, 0, length));
        assertEquals(1025, frame.commandLength());
        assertEquals(42, frame.correlationId());
    }

    @Test
    void withAKeyOnlyFramesWithTheRightTagAreAccepted() {
        final ClientAuthenticator authenticator = new ClientAuthenticator(dev.raft.transport.aeron.auth.MacKeys.of(KEY));
        final ClientRequestFrame frame = new ClientRequestFrame(authenticator, 1024);
        final int length = request(buffer, RequestKind.COMMAND, new byte[10], "127.0.0.1:4000");
        assertEquals(ClientRequestFrame.Verdict.UNAUTHENTICATED, frame.parse(buffer, 0, length), "no tag");
        authenticator.sign(buffer, 0, length);
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length + ClientProtocol.MAC_LENGTH));
        buffer.putByte(20, (byte) (buffer.getByte(20) ^ 1));
        assertEquals(ClientRequestFrame.Verdict.UNAUTHENTICATED, frame.parse(buffer, 0, length + ClientProtocol.MAC_LENGTH),
            "a flipped bit");
        buffer.putByte(20, (byte) (buffer.getByte(20) ^ 1));
        final byte[] other = KEY.clone();
        other[0]++;
        assertEquals(ClientRequestFrame.Verdict.UNAUTHENTICATED, new ClientRequestFrame(new ClientAuthenticator(dev.raft.transport.aeron.auth.MacKeys.of(other)), 1024)
            .parse(buffer, 0, length + ClientProtocol.MAC_LENGTH), "another key");
    }

    @Test
    void loggedBytesAreAShortEscapedPrefix() {
        final UnsafeBuffer bytes = new UnsafeBuffer("ok\n\u0007\\zz".repeat(20).getBytes(StandardCharsets.ISO_8859_1));
        final String text = ClientProtocol.escapedPrefix(bytes, 0, bytes.capacity(), 8);
        assertEquals("ok\\x0a\\x07\\x5czzo... (140 bytes)", text);
    }
}
