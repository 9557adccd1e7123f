package dev.raft.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Role;
import dev.raft.examples.internal.codec.ClientRequestEncoder;
import dev.raft.examples.internal.codec.MessageHeaderEncoder;
import dev.raft.examples.internal.codec.RequestKind;
import dev.raft.examples.kv.ClientProtocol;
import dev.raft.examples.kv.ClientService;
import dev.raft.examples.kv.KvClient;
import dev.raft.examples.kv.KvNode;
import dev.raft.examples.kv.KvOutcome;
import dev.raft.examples.kv.KvResult;
import dev.raft.storage.file.DurabilityMode;
import io.aeron.Aeron;
import io.aeron.Publication;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's acceptance: over a million malformed client requests (random bytes, truncations, absurd and huge
 * claimed lengths, bad reply endpoints, foreign headers, trailing bytes, inconsistent session fields, reply endpoints
 * on another host) at a live
 * one-node server over Aeron UDP. The service thread survives (no OutOfMemoryError: the old service allocated
 * whatever a request claimed), its counters account for every request, none was proposed, and it still serves a
 * real client afterwards. The duration is printed.
 */
class ClientProtocolFuzzTest {
    private static final int MALFORMED = Integer.getInteger("fuzz.requests", 1_000_000);
    private static final int OVERSIZE = 1_000;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aMillionMalformedRequestsAreCountedAndNoneHurts() throws Exception {
        final Path dir = Files.createTempDirectory("raftkv-fuzz-");
        final Map<Integer, String> endpoints = Demo.freeLoopbackEndpoints(1);
        final KvNode.Options options = new KvNode.Options(1, 1, endpoints, dir.resolve("node"), dir.resolve("aeron").toString(),
            DurabilityMode.NO_FSYNC, null);
        try (KvNode node = KvNode.start(options);
             ClientService service = new ClientService(node, ClientProtocol.clientEndpoint(endpoints.get(1)),
                 new ClientService.Settings(64, null)).start();
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectory()));
             KvClient client = KvClient.builder(endpoints).aeron(aeron).build()) {
            node.raft().awaitMetrics(m -> m.role() == Role.LEADER, Duration.ofSeconds(30));
            final Publication publication = aeron.addPublication(
                "aeron:udp?endpoint=" + service.endpoint() + "|term-length=16m|sparse=true", ClientProtocol.STREAM_ID);
            final SplittableRandom random = new SplittableRandom(Long.getLong("fuzz.seed", 15));
            final UnsafeBuffer valid = new UnsafeBuffer(new byte[4096]);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            final long start = System.nanoTime();
            for (int i = 0; i < MALFORMED; i++) {
                final int length = malformed(random, valid, buffer);
                offer(publication, buffer, length);
            }
            // well-formed but oversize (the service's limit is 64 bytes): answered REJECTED, never proposed
            for (int i = 0; i < OVERSIZE; i++) {
                final int length = request(buffer, RequestKind.COMMAND, 65 + random.nextInt(1000), client.replyTo());
                offer(publication, buffer, length);
            }
            final long sent = MALFORMED + OVERSIZE;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (service.counters().get(ClientService.Counter.REQUESTS) < sent && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            final long seconds = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            final Map<ClientService.Counter, Long> counters = service.counters();
            System.out.println("client protocol fuzz: " + sent + " requests in " + seconds + " ms: " + counters);
            assertEquals(sent, counters.get(ClientService.Counter.REQUESTS), "every request arrived: " + counters);
            long outcomes = 0;
            for (ClientService.Counter c : ClientService.Counter.values()) {
                if (c.isRequestOutcome()) {
                    outcomes += counters.get(c);
                }
            }
            assertEquals(sent, outcomes, "every request is counted once: " + counters);
            assertEquals(0, counters.get(ClientService.Counter.COMMANDS), "nothing malformed was proposed: " + counters);
            assertEquals(OVERSIZE, counters.get(ClientService.Counter.OVERSIZE), counters.toString());
            assertEquals(0, counters.get(ClientService.Counter.ERRORS), "no error in the service thread: " + counters);
            assertTrue(counters.get(ClientService.Counter.REPLY_REFUSED) > 0, counters.toString());
            assertTrue(counters.get(ClientService.Counter.MALFORMED_SESSION) > 0, counters.toString());

            final KvOutcome put = client.put("after", "fuzz".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
            assertInstanceOf(KvOutcome.Ok.class, put, put.describe());
            final KvOutcome get = client.get("after", Duration.ofSeconds(20));
            assertEquals(KvResult.Status.OK, ((KvOutcome.Ok) get).result().status());
            final KvOutcome tooLong = client.put("big", new byte[100], Duration.ofSeconds(20));
            assertInstanceOf(KvOutcome.Failed.class, tooLong, tooLong.describe());
            assertTrue(tooLong.describe().contains("exceeds this server's limit of 64 bytes"), tooLong.describe());
        } finally {
            Demo.deleteTree(dir);
        }
    }

    private static void offer(Publication publication, UnsafeBuffer buffer, int length) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long position;
        while ((position = publication.offer(buffer, 0, length)) < 0) {
            if (position == Publication.CLOSED || position == Publication.MAX_POSITION_EXCEEDED || System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot send to the server: " + position);
            }
            Thread.onSpinWait();
            if (position == Publication.NOT_CONNECTED) {
                Thread.sleep(1);
            }
        }
    }

    /** Where the command's length is: after the header and the fixed block (correlation id, kind, session fields). */
    private static final int COMMAND_LENGTH_AT = 8 + ClientRequestEncoder.BLOCK_LENGTH;

    /**
     * Encodes a well-formed request with a command of {@code commandLength} bytes (a command with a session of a
     * client numbered {@code commandLength}, sequence 2, floor 1); returns its length.
     */
    private static int request(UnsafeBuffer buffer, RequestKind kind, int commandLength, String replyTo) {
        final boolean command = kind == RequestKind.COMMAND;
        final ClientRequestEncoder encoder = new ClientRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(7)
            .kind(kind)
            .clientId(command ? 1 + commandLength : 0)
            .sequence(command ? 2 : 0)
            .ackedBelow(command ? 1 : 0)
            .putCommand(new byte[commandLength], 0, commandLength);
        encoder.replyTo(replyTo);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /** One malformed request of a random kind into {@code out}; returns its length (at least 1). */
    private static int malformed(SplittableRandom random, UnsafeBuffer valid, UnsafeBuffer out) {
        final int validLength = request(valid, random.nextBoolean() ? RequestKind.COMMAND : RequestKind.STATUS,
            random.nextInt(48), "127.0.0.1:" + (1024 + random.nextInt(60000)));
        out.putBytes(0, valid, 0, validLength);
        switch (random.nextInt(9)) {
            case 0 -> { // random bytes
                final int length = 1 + random.nextInt(96);
                for (int i = 0; i < length; i++) {
                    out.putByte(i, (byte) random.nextInt(256));
                }
                return length;
            }
            case 1 -> { // truncated
                return 1 + random.nextInt(validLength - 1);
            }
            case 2 -> { // a huge claimed command length, also in a frame that ends with the length's field
                out.putInt(COMMAND_LENGTH_AT, random.nextBoolean() ? Integer.MIN_VALUE : 0x7FFF_FFFF - random.nextInt(1000),
                    ByteOrder.LITTLE_ENDIAN);
                return random.nextBoolean() ? COMMAND_LENGTH_AT + 6 : validLength;
            }
            case 3 -> { // an absurd reply endpoint length
                final int commandLength = out.getInt(COMMAND_LENGTH_AT, ByteOrder.LITTLE_ENDIAN);
                out.putShort(COMMAND_LENGTH_AT + 4 + commandLength, (short) (256 + random.nextInt(65280)), ByteOrder.LITTLE_ENDIAN);
                return validLength;
            }
            case 4 -> { // a foreign header field, or a block length below the message's or above the limit
                final int field = random.nextInt(4);
                final int value = field == 0
                    ? (random.nextBoolean() ? random.nextInt(ClientRequestEncoder.BLOCK_LENGTH) : 257 + random.nextInt(60000))
                    : 10 + random.nextInt(60000);
                out.putShort(2 * field, (short) value, ByteOrder.LITTLE_ENDIAN);
                return validLength;
            }
            case 8 -> { // inconsistent session fields (a floor above the sequence, or a sequence without a client)
                if (random.nextBoolean()) {
                    out.putLong(8 + 9 + 16, out.getLong(8 + 9 + 8, ByteOrder.LITTLE_ENDIAN) + 1 + random.nextInt(1000),
                        ByteOrder.LITTLE_ENDIAN);
                } else {
                    out.putLong(8 + 9, 0, ByteOrder.LITTLE_ENDIAN);
                    out.putLong(8 + 9 + 8, 1 + random.nextInt(1000), ByteOrder.LITTLE_ENDIAN);
                }
                return validLength;
            }
            case 5 -> { // trailing bytes
                final int extra = 1 + random.nextInt(32);
                for (int i = 0; i < extra; i++) {
                    out.putByte(validLength + i, (byte) random.nextInt(256));
                }
                return validLength + extra;
            }
            case 6 -> { // a bad kind
                out.putByte(8 + 8, (byte) (3 + random.nextInt(250)));
                return validLength;
            }
            default -> { // well formed, but answers requested on another host: never answered, never proposed
                return request(out, RequestKind.COMMAND, random.nextInt(48), "10.9.8." + random.nextInt(256) + ":4000");
            }
        }
    }
}
