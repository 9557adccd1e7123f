package dev.raft.examples.kv;

import dev.raft.api.Membership;
import dev.raft.examples.internal.codec.AdminOp;
import dev.raft.examples.internal.codec.AdminRequestDecoder;
import dev.raft.examples.internal.codec.AdminRequestEncoder;
import dev.raft.examples.internal.codec.AdminResultDecoder;
import dev.raft.examples.internal.codec.AdminResultEncoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The encoding of {@code raftkv admin} requests and answers: the SBE messages {@code AdminRequest} (the command
 * of a ClientRequest of kind ADMIN, sent to the leader like a write) and {@code AdminResult} (the value of the OK
 * KvResult that answers it) of {@code raftkv-messages.xml}.
 */
public final class AdminRequests {
    /** {@code expectedConfigIndex} meaning: whatever membership is in force when the leader gets the request. */
    public static final long ANY_CONFIG_INDEX = -1;
    /** The longest request: the fixed fields, the header and an endpoint of at most {@link Membership#MAX_ENDPOINT_LENGTH}. */
    static final int MAX_REQUEST_BYTES = MessageHeaderEncoder.ENCODED_LENGTH + AdminRequestEncoder.BLOCK_LENGTH + 2
        + Membership.MAX_ENDPOINT_LENGTH;

    /** What an admin request asks. */
    public enum Op {
        /** Print the membership in force. */
        MEMBERS(AdminOp.MEMBERS),
        /** Add a learner at an endpoint. */
        ADD_LEARNER(AdminOp.ADD_LEARNER),
        /** Make a learner a voter. */
        PROMOTE(AdminOp.PROMOTE),
        /** Remove a voter or learner. */
        REMOVE(AdminOp.REMOVE),
        /** Hand the leadership to a voter. */
        TRANSFER(AdminOp.TRANSFER);

        private final AdminOp code;

        Op(AdminOp code) {
            this.code = code;
        }
    }

    /**
     * A decoded request.
     *
     * @param op                  what it asks
     * @param nodeId              the member it is about (the new leader for TRANSFER); 0 for MEMBERS
     * @param expectedConfigIndex PROMOTE and REMOVE: the index of the membership it was meant for, or
     *                            {@link #ANY_CONFIG_INDEX}
     * @param endpoint            ADD_LEARNER: the new member's Raft endpoint; else empty
     */
    public record Request(Op op, int nodeId, long expectedConfigIndex, String endpoint) {
    }

    /**
     * A decoded answer.
     *
     * @param configIndex the log index of the membership in force (0: the initial one)
     * @param leaderId    the leader when the answer was made
     * @param membership  the membership in force, with the members' endpoints
     */
    public record Result(long configIndex, int leaderId, Membership membership) {
        /** The configuration in one line: {@code config index 12, leader 2: voters [1, 2, 3], learners [4], endpoints {...}}. */
        public String describe() {
            final StringBuilder text = new StringBuilder("config index ").append(configIndex).append(", leader ")
                .append(leaderId).append(": voters ");
            for (int s = 0; s < membership.voterSetCount(); s++) {
                text.append(s == 0 ? "" : " + ").append(Arrays.toString(membership.voters(s)));
            }
            text.append(membership.isJoint() ? " (joint)" : "").append(", learners ")
                .append(Arrays.toString(membership.learners()));
            final Map<Integer, String> endpoints = membership.endpoints();
            if (!endpoints.isEmpty()) {
                text.append(", endpoints ").append(endpoints.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
            }
            return text.toString();
        }
    }

    private AdminRequests() {
    }

    /** A request: see {@link Request}. */
    public static byte[] request(Op op, int nodeId, long expectedConfigIndex, String endpoint) {
        final String text = endpoint == null ? "" : endpoint;
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 + text.length());
        final AdminRequestEncoder encoder = new AdminRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .op(op.code)
            .nodeId(nodeId)
            .expectedConfigIndex(expectedConfigIndex)
            .endpoint(text);
        return copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Decodes a request, checking every length against the bytes first.
     *
     * @return the request, or null if the bytes are no valid AdminRequest
     */
    static Request decodeRequest(DirectBuffer buffer, int offset, int length) {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || length > MAX_REQUEST_BYTES) {
            return null;
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, offset);
        if (header.schemaId() != AdminRequestDecoder.SCHEMA_ID || header.templateId() != AdminRequestDecoder.TEMPLATE_ID
            || header.blockLength() != AdminRequestDecoder.BLOCK_LENGTH) {
            return null;
        }
        final int endpointAt = offset + MessageHeaderDecoder.ENCODED_LENGTH + AdminRequestDecoder.BLOCK_LENGTH;
        if (endpointAt + 2 > offset + length) {
            return null;
        }
        final int endpointLength = buffer.getShort(endpointAt, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (endpointAt + 2 + endpointLength != offset + length) {
            return null;
        }
        final AdminRequestDecoder decoder = new AdminRequestDecoder().wrapAndApplyHeader(buffer, offset, header);
        final short code = decoder.opRaw(); // op() throws on an unknown code
        Op op = null;
        for (Op candidate : Op.values()) {
            if (candidate.code.value() == code) {
                op = candidate;
            }
        }
        if (op == null) {
            return null;
        }
        return new Request(op, decoder.nodeId(), decoder.expectedConfigIndex(), decoder.endpoint());
    }

    /** An answer: see {@link Result}. */
    static byte[] result(long configIndex, int leaderId, Membership membership) {
        final byte[] members = membership.encode();
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 + members.length);
        final AdminResultEncoder encoder = new AdminResultEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .configIndex(configIndex)
            .leaderId(leaderId)
            .putMembership(members, 0, members.length);
        return copy(buffer, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Decodes an answer (the value of the OK {@link KvResult} of an admin request).
     *
     * @throws IllegalArgumentException naming what is wrong if the bytes are no AdminResult
     */
    public static Result decodeResult(byte[] bytes) {
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (bytes.length < MessageHeaderDecoder.ENCODED_LENGTH + AdminResultDecoder.BLOCK_LENGTH + 4) {
            throw new IllegalArgumentException("AdminResult: " + bytes.length + " bytes, too short");
        }
        final MessageHeaderDecoder header = new MessageHeaderDecoder().wrap(buffer, 0);
        if (header.schemaId() != AdminResultDecoder.SCHEMA_ID || header.templateId() != AdminResultDecoder.TEMPLATE_ID) {
            throw new IllegalArgumentException("AdminResult: schema " + header.schemaId() + " template "
                + header.templateId() + ", expected schema " + AdminResultDecoder.SCHEMA_ID + " template "
                + AdminResultDecoder.TEMPLATE_ID);
        }
        final AdminResultDecoder decoder = new AdminResultDecoder().wrapAndApplyHeader(buffer, 0, header);
        final long configIndex = decoder.configIndex();
        final int leaderId = decoder.leaderId();
        final int length = decoder.membershipLength();
        if (length > bytes.length) {
            throw new IllegalArgumentException("AdminResult: membership of " + length + " bytes in " + bytes.length);
        }
        final byte[] members = new byte[length];
        decoder.getMembership(members, 0, length);
        return new Result(configIndex, leaderId, Membership.decode(members));
    }

    private static byte[] copy(DirectBuffer buffer, int length) {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }
}
