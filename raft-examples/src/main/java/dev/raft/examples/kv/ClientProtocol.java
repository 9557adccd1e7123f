package dev.raft.examples.kv;

import dev.raft.api.RaftMetrics;
import dev.raft.examples.internal.codec.ClientResponseEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.ResponseCode;
import org.agrona.MutableDirectBuffer;

/** Constants and helpers shared by {@link ClientService} and {@link KvClient} (and the benchmark's pipelined client). */
public final class ClientProtocol {
    /** The Aeron stream of requests and responses. */
    public static final int STREAM_ID = 1101;
    /** Term length of the client channels: messages up to 512 KiB. */
    static final String CHANNEL_PARAMS = "|term-length=4m";

    private ClientProtocol() {
    }

    /** The channel to send to {@code hostPort}. */
    public static String channel(String hostPort) {
        return "aeron:udp?endpoint=" + hostPort + CHANNEL_PARAMS;
    }

    /** Encodes a response carrying the node's metrics; returns its length. */
    static int encodeResponse(MutableDirectBuffer buffer, long correlationId, ResponseCode code, RaftMetrics m,
                              byte[] result, String message) {
        final ClientResponseEncoder encoder = new ClientResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(correlationId)
            .code(code)
            .nodeId(m.nodeId())
            .role((short) m.role().ordinal())
            .term(m.term())
            .leaderId(m.leaderId())
            .lastLogIndex(m.lastLogId().index())
            .committedIndex(m.committedIndex())
            .appliedIndex(m.appliedIndex());
        final byte[] r = result == null ? new byte[0] : result;
        encoder.putResult(r, 0, r.length);
        encoder.message(message == null ? "" : message);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }
}
