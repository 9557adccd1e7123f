package dev.raft.examples.kv;

import dev.raft.api.service.NodeContext;
import dev.raft.api.ReadPolicy;
import dev.raft.api.config.RaftConfig;
import dev.raft.core.session.SessionCommand;
import dev.raft.examples.internal.codec.ClientAnswerEncoder;
import dev.raft.examples.internal.codec.ClientResponseEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The client protocol's constants and documented limits, shared by {@link ClientService} and {@link KvClient}.
 *
 * <p>Exactly-once writes: every write request carries the client's session (client id, a sequence number that every
 * re-send of the call repeats, and the floor below which the client has every answer) in the request's fixed block,
 * so that op codes ({@code RequestKind}, {@code KvOp}) stay an additive table. The server wraps the command in a
 * {@link SessionCommand} envelope stamped with its clock and proposes it; the answer's {@code sessionStatus} says
 * whether it was applied now, answered from the session table (REPLAYED), or refused (with code REJECTED).
 *
 * <p>A client may ask for brief answers (request field {@code answerForm} BRIEF, since schema version 4): its OK
 * answers to commands and reads are then a {@code ClientAnswer} (correlation id, term, session status, result: 128 B on
 * the wire for a 64 B result against 192 B), every other answer a {@code ClientResponse}.
 *
 * <p>A request or response is one Aeron message: the SBE message of {@code raftkv-messages.xml}, then, only when
 * a client key is configured, a {@value #MAC_LENGTH}-byte tag (see {@link ClientAuthenticator}). A server checks
 * every declared length against the frame and against these maxima before it allocates anything.
 */
public final class ClientProtocol {
    /** The Aeron stream of requests and responses. */
    public static final int STREAM_ID = 1101;
    /**
     * The longest command a server accepts: {@link RaftConfig#MAX_BYTES_PER_APPEND} (1 MiB) less the
     * {@link SessionCommand#HEADER_LENGTH}-byte session envelope the server wraps it in, since one command is one
     * log entry and an entry must fit one AppendEntries. A server configured with a smaller
     * {@code maxBytesPerAppend} refuses longer commands with a REJECTED answer naming its limit.
     */
    public static final int MAX_COMMAND_BYTES = RaftConfig.MAX_BYTES_PER_APPEND - SessionCommand.HEADER_LENGTH;
    /** The longest reply endpoint ({@code host:port}) a request may carry. */
    public static final int MAX_REPLY_TO_BYTES = 255;
    /** The longest error message a response carries (longer ones are cut). */
    public static final int MAX_MESSAGE_BYTES = 1024;
    /** Length of the authentication tag that ends a frame when a client key is configured. */
    public static final int MAC_LENGTH = ClientAuthenticator.TAG_LENGTH;
    /** Bytes of a KvCommand besides its key, value and expected value (SBE header, fixed block, three lengths). */
    public static final int COMMAND_OVERHEAD_BYTES = 8 + 2 + 3 * 4;
    /**
     * Bytes of a request besides its command and reply endpoint (SBE header, fixed block: correlation id, kind, client
     * id, sequence, acknowledged floor, answer form; two lengths).
     */
    static final int REQUEST_OVERHEAD_BYTES = 8 + 9 + 3 * 8 + 1 + 4 + 2;
    /** The longest request frame: the largest command and reply endpoint, and a tag. */
    static final int MAX_REQUEST_FRAME = REQUEST_OVERHEAD_BYTES + MAX_COMMAND_BYTES + MAX_REPLY_TO_BYTES + MAC_LENGTH;
    /**
     * Channel parameters: a term length of 16 MiB (the largest message is an eighth of it, 2 MiB, so the largest
     * command and the largest result fit one message) in sparse files (only the pages used take memory).
     */
    static final String CHANNEL_PARAMS = "|term-length=16m|sparse=true";

    /** Request kind: a GET served without the log by ReadIndex ({@link ReadPolicy#LINEARIZABLE_READ_INDEX}). */
    public static final byte KIND_READ_LINEARIZABLE = 3;
    /** Request kind: a GET served without the log from the leader's lease ({@link ReadPolicy#LEASE}). */
    public static final byte KIND_READ_LEASE = 4;
    /** Request kind: a GET served by the node asked from what it applied ({@link ReadPolicy#SERIALIZABLE}). */
    public static final byte KIND_READ_SERIALIZABLE = 5;

    private static final byte[] NO_BYTES = new byte[0];

    private ClientProtocol() {
    }

    /** The read policy of request kind {@code kind}, or null if it is no read without the log. */
    static ReadPolicy readPolicy(byte kind) {
        return switch (kind) {
            case KIND_READ_LINEARIZABLE -> ReadPolicy.LINEARIZABLE_READ_INDEX;
            case KIND_READ_LEASE -> ReadPolicy.LEASE;
            case KIND_READ_SERIALIZABLE -> ReadPolicy.SERIALIZABLE;
            default -> null;
        };
    }

    /** The channel to send to {@code hostPort}. */
    public static String channel(String hostPort) {
        return "aeron:udp?endpoint=" + hostPort + CHANNEL_PARAMS;
    }

    /** The client endpoint of a node whose Raft endpoint is {@code raftEndpoint}: the same host, port + 1. */
    public static String clientEndpoint(String raftEndpoint) {
        final int colon = raftEndpoint.lastIndexOf(':');
        return raftEndpoint.substring(0, colon) + ":" + (Integer.parseInt(raftEndpoint.substring(colon + 1)) + 1);
    }

    /** The host part of {@code host:port} (an IPv6 host in brackets keeps them). */
    static String host(String hostPort) {
        final int colon = hostPort.lastIndexOf(':');
        return colon < 0 ? hostPort : hostPort.substring(0, colon);
    }

    /**
     * Encodes a response carrying the node's metrics and the command's session status (NULL_VAL: none), without a
     * tag; returns its length.
     */
    static int encodeResponse(MutableDirectBuffer buffer, ClientResponseEncoder encoder, MessageHeaderEncoder header,
                              long correlationId, ResponseCode code, NodeContext node, SessionStatus sessionStatus,
                              DirectBuffer result, int resultOffset, int resultLength, String message,
                              byte[] leaderEndpoint) {
        encoder.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .code(code)
            .nodeId(node.nodeId())
            .role((short) node.role().ordinal())
            .term(node.term())
            .leaderId(node.leaderId())
            .lastLogIndex(node.lastLogIndex())
            .committedIndex(node.committedIndex())
            .appliedIndex(node.appliedIndex())
            .sessionStatus(sessionStatus)
            .putResult(result, resultOffset, resultLength);
        if (message == null || message.isEmpty()) {
            encoder.putMessage(NO_BYTES, 0, 0);
        } else {
            encoder.message(message.length() > MAX_MESSAGE_BYTES / 4 ? message.substring(0, MAX_MESSAGE_BYTES / 4) : message);
        }
        encoder.putLeaderEndpoint(leaderEndpoint, 0, leaderEndpoint.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * Encodes the brief form of an OK answer (a ClientAnswer: the correlation id, the node's term, the session status,
     * the result), without a tag; returns its length.
     */
    static int encodeAnswer(MutableDirectBuffer buffer, ClientAnswerEncoder encoder, MessageHeaderEncoder header,
                            long correlationId, long term, SessionStatus sessionStatus, DirectBuffer result,
                            int resultOffset, int resultLength) {
        encoder.wrapAndApplyHeader(buffer, 0, header)
            .correlationId(correlationId)
            .term(term)
            .sessionStatus(sessionStatus)
            .putResult(result, resultOffset, resultLength);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * At most {@code max} bytes of a frame as printable ASCII, every other byte as {@code \xNN}: the only form in
     * which bytes from the network reach a log line.
     */
    static String escapedPrefix(DirectBuffer buffer, int offset, int length, int max) {
        final StringBuilder text = new StringBuilder(max * 4 + 16);
        final int n = Math.min(length, max);
        for (int i = 0; i < n; i++) {
            final int b = buffer.getByte(offset + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F && b != '\\') {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b));
            }
        }
        if (length > n) {
            text.append("... (").append(length).append(" bytes)");
        }
        return text.toString();
    }
}
