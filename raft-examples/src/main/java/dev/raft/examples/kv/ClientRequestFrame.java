package dev.raft.examples.kv;

import dev.raft.core.session.SessionCommand;
import dev.raft.examples.internal.codec.AnswerForm;
import dev.raft.examples.internal.codec.ClientRequestDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import java.nio.ByteOrder;
import org.agrona.DirectBuffer;

/**
 * Checks one received ClientRequest frame in place, without allocating: the tag (when a key is configured),
 * the SBE header, the session fields (version 3: client id, sequence, acknowledged floor, consistent as
 * {@link SessionCommand#consistent} requires; a version 1 or 2 frame has no session), the answer form (version 4:
 * FULL or BRIEF; earlier versions get FULL answers), and every declared length
 * against the frame and the documented maxima of
 * {@link ClientProtocol}. After {@link #parse} returned {@link Verdict#OK} or {@link Verdict#OVERSIZE}, the
 * accessors describe the request. One instance per receiving thread.
 */
final class ClientRequestFrame {
    /** What a frame is. */
    enum Verdict {
        /** A well-formed request within the limits. */
        OK,
        /** Well formed, but its command is longer than the server accepts: answered REJECTED. */
        OVERSIZE,
        /** A key is configured and the frame's tag is missing or wrong. */
        UNAUTHENTICATED,
        /** Shorter than an SBE header. */
        SHORT,
        /** Another schema or message, or a version this server does not know. */
        FOREIGN,
        /** The header's block length is below the message's or runs past the frame. */
        BAD_BLOCK,
        /** The request kind is none of COMMAND, STATUS, ADMIN and the READ_* kinds. */
        BAD_KIND,
        /** The answer form (version 4) is neither FULL nor BRIEF. */
        BAD_ANSWER_FORM,
        /**
         * The session fields are inconsistent (see {@link dev.raft.core.session.SessionCommand#consistent}), or a
         * STATUS request carries them.
         */
        BAD_SESSION,
        /** The command's declared length runs past the frame. */
        BAD_COMMAND_LENGTH,
        /** The reply endpoint's declared length runs past the frame or the limit, or it is no host:port. */
        BAD_REPLY_TO,
        /** The declared lengths do not add up to the frame's length. */
        BAD_FRAME_LENGTH
    }

    static final byte KIND_COMMAND = 1;
    static final byte KIND_STATUS = 2;
    static final byte KIND_ADMIN = 9;
    private static final int MAX_BLOCK_LENGTH = 256;
    /** The block of a version 1 or 2 request: correlation id and kind, no session fields (a command without session). */
    static final int BLOCK_LENGTH_V2 = 9;
    /** The block of a version 3 request: with the session fields, without the answer form (always FULL). */
    static final int BLOCK_LENGTH_V3 = 33;
    private static final int CLIENT_ID_OFFSET = 9;
    private static final int SEQUENCE_OFFSET = 17;
    private static final int ACKED_BELOW_OFFSET = 25;
    private static final int ANSWER_FORM_OFFSET = 33;

    private final ClientAuthenticator authenticator;
    private final int maxCommandBytes;
    private long correlationId;
    private byte kind;
    private long clientId;
    private long sequence;
    private long ackedBelow;
    private boolean brief;
    private int commandOffset;
    private int commandLength;
    private int replyToOffset;
    private int replyToLength;

    /**
     * @param authenticator   checks the tag of every frame, or null when no key is configured
     * @param maxCommandBytes the longest command accepted, at most {@link ClientProtocol#MAX_COMMAND_BYTES}
     */
    ClientRequestFrame(ClientAuthenticator authenticator, int maxCommandBytes) {
        if (maxCommandBytes < 1 || maxCommandBytes > ClientProtocol.MAX_COMMAND_BYTES) {
            throw new IllegalArgumentException("maxCommandBytes = " + maxCommandBytes + " is invalid; allowed: 1.."
                + ClientProtocol.MAX_COMMAND_BYTES);
        }
        this.authenticator = authenticator;
        this.maxCommandBytes = maxCommandBytes;
    }

    /** Checks {@code buffer[offset, offset + length)}; never reads outside it. */
    Verdict parse(DirectBuffer buffer, int offset, int length) {
        int end = offset + length;
        if (authenticator != null) {
            if (length < MessageHeaderDecoder.ENCODED_LENGTH + ClientProtocol.MAC_LENGTH
                || !authenticator.verify(buffer, offset, length)) {
                return Verdict.UNAUTHENTICATED;
            }
            end -= ClientProtocol.MAC_LENGTH;
        }
        if (end - offset < MessageHeaderDecoder.ENCODED_LENGTH) {
            return Verdict.SHORT;
        }
        final int blockLength = buffer.getShort(offset, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        final int version = buffer.getShort(offset + 6, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (schemaId != ClientRequestDecoder.SCHEMA_ID || templateId != ClientRequestDecoder.TEMPLATE_ID
            || version < 1 || version > ClientRequestDecoder.SCHEMA_VERSION) {
            return Verdict.FOREIGN;
        }
        final int block = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int minBlock = version >= 4 ? ClientRequestDecoder.BLOCK_LENGTH : version == 3 ? BLOCK_LENGTH_V3 : BLOCK_LENGTH_V2;
        if (blockLength < minBlock || blockLength > MAX_BLOCK_LENGTH || block + blockLength > end) {
            return Verdict.BAD_BLOCK;
        }
        correlationId = buffer.getLong(block, ByteOrder.LITTLE_ENDIAN);
        kind = buffer.getByte(block + 8);
        if (kind != KIND_COMMAND && kind != KIND_STATUS && kind != KIND_ADMIN && ClientProtocol.readPolicy(kind) == null) {
            return Verdict.BAD_KIND;
        }
        if (version >= 3) {
            clientId = buffer.getLong(block + CLIENT_ID_OFFSET, ByteOrder.LITTLE_ENDIAN);
            sequence = buffer.getLong(block + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
            ackedBelow = buffer.getLong(block + ACKED_BELOW_OFFSET, ByteOrder.LITTLE_ENDIAN);
        } else {
            clientId = 0;
            sequence = 0;
            ackedBelow = 0;
        }
        if (!SessionCommand.consistent(clientId, sequence, ackedBelow) || (kind != KIND_COMMAND && clientId != 0)) {
            return Verdict.BAD_SESSION;
        }
        brief = false;
        if (version >= 4) {
            final byte form = buffer.getByte(block + ANSWER_FORM_OFFSET);
            if (form != AnswerForm.FULL.value() && form != AnswerForm.BRIEF.value()) {
                return Verdict.BAD_ANSWER_FORM;
            }
            brief = form == AnswerForm.BRIEF.value();
        }
        int position = block + blockLength;
        if (end - position < 4) {
            return Verdict.BAD_COMMAND_LENGTH;
        }
        final long declaredCommand = buffer.getInt(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF_FFFFL;
        position += 4;
        if (declaredCommand > end - position) {
            return Verdict.BAD_COMMAND_LENGTH;
        }
        commandOffset = position;
        commandLength = (int) declaredCommand;
        position += commandLength;
        if (end - position < 2) {
            return Verdict.BAD_REPLY_TO;
        }
        final int declaredReplyTo = buffer.getShort(position, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        position += 2;
        if (declaredReplyTo == 0 || declaredReplyTo > ClientProtocol.MAX_REPLY_TO_BYTES || declaredReplyTo > end - position) {
            return Verdict.BAD_REPLY_TO;
        }
        replyToOffset = position;
        replyToLength = declaredReplyTo;
        position += declaredReplyTo;
        if (position != end) {
            return Verdict.BAD_FRAME_LENGTH;
        }
        if (!isHostPort(buffer, replyToOffset, replyToLength)) {
            return Verdict.BAD_REPLY_TO;
        }
        return commandLength > maxCommandBytes ? Verdict.OVERSIZE : Verdict.OK;
    }

    /** ASCII letters, digits, '.', '-', '[', ']' and ':', ending in ':' and a port of 1 to 5 digits. */
    private static boolean isHostPort(DirectBuffer buffer, int offset, int length) {
        int lastColon = -1;
        for (int i = 0; i < length; i++) {
            final byte b = buffer.getByte(offset + i);
            final boolean allowed = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '.' || b == '-' || b == '[' || b == ']' || b == ':';
            if (!allowed) {
                return false;
            }
            if (b == ':') {
                lastColon = i;
            }
        }
        final int digits = length - lastColon - 1;
        if (lastColon < 1 || digits < 1 || digits > 5) {
            return false;
        }
        for (int i = lastColon + 1; i < length; i++) {
            final byte b = buffer.getByte(offset + i);
            if (b < '0' || b > '9') {
                return false;
            }
        }
        return true;
    }

    long correlationId() {
        return correlationId;
    }

    /** The session's client id, 0 for none (a read, a status request, or a version 1 or 2 frame). */
    long clientId() {
        return clientId;
    }

    /** The call's sequence (0 without a session). */
    long sequence() {
        return sequence;
    }

    /** The client's acknowledged floor (0 without a session). */
    long ackedBelow() {
        return ackedBelow;
    }

    /** Whether the client asked for brief OK answers (a ClientAnswer; version 4, answer form BRIEF). */
    boolean briefAnswers() {
        return brief;
    }

    boolean isCommand() {
        return kind == KIND_COMMAND;
    }

    /** An admin request ({@link AdminRequests}): its command is an AdminRequest. */
    boolean isAdmin() {
        return kind == KIND_ADMIN;
    }

    /** The read policy of a READ_* request (its command is a GET), or null. */
    dev.raft.api.ReadPolicy readPolicy() {
        return ClientProtocol.readPolicy(kind);
    }

    int commandOffset() {
        return commandOffset;
    }

    int commandLength() {
        return commandLength;
    }

    int replyToOffset() {
        return replyToOffset;
    }

    int replyToLength() {
        return replyToLength;
    }

    int maxCommandBytes() {
        return maxCommandBytes;
    }
}
