package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.TestPorts;
import dev.raft.examples.internal.codec.AnswerForm;
import dev.raft.examples.internal.codec.ClientAnswerDecoder;
import dev.raft.examples.internal.codec.ClientResponseDecoder;
import dev.raft.examples.internal.codec.MessageHeaderDecoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.internal.codec.ResponseCode;
import dev.raft.examples.internal.codec.SessionStatus;
import dev.raft.storage.file.DurabilityMode;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client protocol's answer forms, over Aeron UDP against a live one-node server: a request asking for BRIEF
 * answers gets its OK answer as a ClientAnswer (correlation id, term, session status, result: a 128 B frame for a
 * 64 B result, against 192 B), and every other answer (here a refusal) as a ClientResponse; a FULL request and a
 * version 3 request, which has no answer form, get ClientResponses.
 */
class BriefAnswersTest {
    private final UnsafeBuffer request = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final UnsafeBuffer received = new UnsafeBuffer(new byte[2048]);
    private int receivedLength;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void okAnswersComeInTheFormTheRequestAskedForAndEverythingElseInFull(@TempDir Path dir) throws Exception {
        final Map<Integer, String> endpoints = TestPorts.loopback(1);
        final KvNode.Options options = new KvNode.Options(1, 1, endpoints, dir.resolve("node"),
            dir.resolve("aeron").toString(), DurabilityMode.NO_FSYNC, null);
        try (KvNode node = KvNode.start(options);
             ClientService service = new ClientService(node, ClientProtocol.clientEndpoint(endpoints.get(1)),
                 new ClientService.Settings(200, null)).start();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory()));
             Subscription replies = aeron.addSubscription("aeron:udp?endpoint=127.0.0.1:0", ClientProtocol.STREAM_ID)) {
            node.raft().awaitMetrics(m -> m.role() == Role.LEADER, Duration.ofSeconds(30));
            while (replies.resolvedEndpoint() == null) {
                Thread.sleep(1);
            }
            final String replyTo = replies.resolvedEndpoint();
            final Publication publication = aeron.addPublication(ClientProtocol.channel(service.endpoint()),
                ClientProtocol.STREAM_ID);
            final byte[] put = KvCommands.put("k", new byte[40]);
            final long term = node.raft().metrics().term();

            // BRIEF: the OK answer is a ClientAnswer
            send(publication, encode(1, put, AnswerForm.BRIEF, replyTo, 101, 1), replies);
            assertEquals(ClientAnswerDecoder.TEMPLATE_ID, header.templateId(), "a brief OK answer is a ClientAnswer");
            final ClientAnswerDecoder answer = new ClientAnswerDecoder().wrapAndApplyHeader(received, 0, header);
            assertEquals(1, answer.correlationId());
            assertEquals(term, answer.term());
            assertEquals(SessionStatus.APPLIED, answer.sessionStatus());
            final byte[] result = new byte[answer.resultLength()];
            answer.getResult(result, 0, result.length);
            assertEquals(KvResult.Status.OK, KvCommands.decodeResult(result).status());
            assertEquals(receivedLength, MessageHeaderDecoder.ENCODED_LENGTH + answer.encodedLength());
            assertTrue(receivedLength < 40 + 64, "a ClientAnswer of " + receivedLength + " bytes");

            // BRIEF, but refused (a command longer than the service's 200-byte limit): a ClientResponse
            send(publication, encode(2, KvCommands.put("k", new byte[300]), AnswerForm.BRIEF, replyTo, 101, 2), replies);
            assertEquals(ResponseCode.REJECTED, response(2).code(), "a refusal stays a ClientResponse");

            // FULL: a ClientResponse with the node's state
            send(publication, encode(3, put, AnswerForm.FULL, replyTo, 101, 3), replies);
            final ClientResponseDecoder full = response(3);
            assertEquals(ResponseCode.OK, full.code());
            assertEquals(1, full.nodeId());
            assertEquals(term, full.term());

            // version 3 (before answer forms): a ClientResponse
            send(publication, versionThree(encode(4, put, AnswerForm.BRIEF, replyTo, 101, 4)), replies);
            assertEquals(ResponseCode.OK, response(4).code(), "a version 3 request gets a ClientResponse");
            assertEquals(0, service.counters().get(ClientService.Counter.MALFORMED_ANSWER_FORM));

            // an answer form that is neither: dropped and counted
            final int bad = encode(5, put, AnswerForm.FULL, replyTo, 101, 5);
            request.putByte(MessageHeaderEncoder.ENCODED_LENGTH + 33, (byte) 9);
            offer(publication, bad);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (service.counters().get(ClientService.Counter.MALFORMED_ANSWER_FORM) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, service.counters().get(ClientService.Counter.MALFORMED_ANSWER_FORM));
        }
    }

    private int encode(long correlationId, byte[] command, AnswerForm form, String replyTo, long clientId, long sequence) {
        return ClientRequestFrameTest.request(request, correlationId, RequestKind.COMMAND, command, replyTo, clientId,
            sequence, sequence, form);
    }

    /** The request as a version 3 client sends it: a 33-byte block without the answer form. */
    private int versionThree(int length) {
        final int formAt = MessageHeaderEncoder.ENCODED_LENGTH + 33;
        request.putShort(0, (short) 33, ByteOrder.LITTLE_ENDIAN);
        request.putShort(6, (short) 3, ByteOrder.LITTLE_ENDIAN);
        request.putBytes(formAt, request, formAt + 1, length - formAt - 1);
        return length - 1;
    }

    private ClientResponseDecoder response(long correlationId) {
        assertEquals(ClientResponseDecoder.TEMPLATE_ID, header.templateId(), "a ClientResponse");
        final ClientResponseDecoder decoder = new ClientResponseDecoder().wrapAndApplyHeader(received, 0, header);
        assertEquals(correlationId, decoder.correlationId());
        return decoder;
    }

    /** Sends the request and waits for the one answer. */
    private void send(Publication publication, int length, Subscription replies) throws InterruptedException {
        offer(publication, length);
        receivedLength = 0;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (receivedLength == 0) {
            assertTrue(System.nanoTime() < deadline, "no answer within 20 s");
            if (replies.poll((DirectBuffer buffer, int offset, int n, io.aeron.logbuffer.Header h) -> {
                received.putBytes(0, buffer, offset, n);
                receivedLength = n;
            }, 1) == 0) {
                Thread.sleep(1);
            }
        }
        header.wrap(received, 0);
    }

    private void offer(Publication publication, int length) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long position;
        while ((position = publication.offer(request, 0, length)) < 0) {
            assertTrue(System.nanoTime() < deadline, "cannot send: " + Publication.errorString(position));
            Thread.sleep(1);
        }
    }
}
