package dev.raft.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.examples.internal.codec.RequestKind;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The admin requests' encoding: every op round-trips; the server's decoder checks every length against the bytes
 * and the limit before reading (truncated, padded, foreign and random bytes are null, never an exception); answers
 * round-trip and describe the configuration in one line; a ClientRequest of kind ADMIN passes the frame check.
 */
class AdminRequestsTest {
    @Test
    void everyRequestRoundTrips() {
        for (AdminRequests.Op op : AdminRequests.Op.values()) {
            final byte[] bytes = AdminRequests.request(op, 7, op == AdminRequests.Op.PROMOTE ? 12 : AdminRequests.ANY_CONFIG_INDEX,
                op == AdminRequests.Op.ADD_LEARNER ? "10.0.0.7:9000" : null);
            final AdminRequests.Request r = AdminRequests.decodeRequest(new UnsafeBuffer(bytes), 0, bytes.length);
            assertEquals(op, r.op());
            assertEquals(7, r.nodeId());
            assertEquals(op == AdminRequests.Op.PROMOTE ? 12 : -1, r.expectedConfigIndex());
            assertEquals(op == AdminRequests.Op.ADD_LEARNER ? "10.0.0.7:9000" : "", r.endpoint());
        }
    }

    @Test
    void malformedRequestsAreNullNeverAnException() {
        final byte[] good = AdminRequests.request(AdminRequests.Op.ADD_LEARNER, 4, -1, "127.0.0.1:9000");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        buffer.putBytes(0, good);
        for (int length = 0; length < good.length; length++) {
            assertNull(AdminRequests.decodeRequest(buffer, 0, length), "truncated to " + length);
        }
        assertNull(AdminRequests.decodeRequest(buffer, 0, good.length + 1), "a trailing byte");
        final int endpointAt = good.length - "127.0.0.1:9000".length() - 2;
        buffer.putShort(endpointAt, (short) 0xFFFF, ByteOrder.LITTLE_ENDIAN);
        assertNull(AdminRequests.decodeRequest(buffer, 0, good.length), "an endpoint claiming 65535 bytes");
        buffer.putBytes(0, good);
        buffer.putByte(8, (byte) 99);
        assertNull(AdminRequests.decodeRequest(buffer, 0, good.length), "an unknown op");
        final byte[] kv = KvCommands.put("k", new byte[] {1});
        assertNull(AdminRequests.decodeRequest(new UnsafeBuffer(kv), 0, kv.length), "a KvCommand");
        final Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            final byte[] noise = new byte[random.nextInt(300)];
            random.nextBytes(noise);
            AdminRequests.decodeRequest(new UnsafeBuffer(noise), 0, noise.length);
        }
    }

    @Test
    void answersRoundTripAndDescribeTheConfiguration() {
        final Membership m = Membership.of(new int[][] {{1, 2, 3}, {2, 3, 4}}, new int[] {5},
            Map.of(1, "h1:1", 2, "h2:2", 3, "h3:3", 4, "h4:4", 5, "h5:5"));
        final AdminRequests.Result r = AdminRequests.decodeResult(AdminRequests.result(42, 2, m));
        assertEquals(42, r.configIndex());
        assertEquals(2, r.leaderId());
        assertEquals(m, r.membership());
        assertEquals("config index 42, leader 2: voters [1, 2, 3] + [2, 3, 4] (joint), learners [5], endpoints"
            + " 1=h1:1,2=h2:2,3=h3:3,4=h4:4,5=h5:5", r.describe());
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> AdminRequests.decodeResult(KvCommands.get("k")));
        assertTrue(e.getMessage().startsWith("AdminResult: "), e.getMessage());
    }

    @Test
    void aClientRequestOfKindAdminPassesTheFrameCheck() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final byte[] admin = AdminRequests.request(AdminRequests.Op.MEMBERS, 0, -1, null);
        final int length = ClientRequestFrameTest.request(buffer, RequestKind.ADMIN, admin, "127.0.0.1:4000");
        final ClientRequestFrame frame = new ClientRequestFrame(null, 1024);
        assertEquals(ClientRequestFrame.Verdict.OK, frame.parse(buffer, 0, length));
        assertTrue(frame.isAdmin());
        assertFalse(frame.isCommand());
        assertEquals(admin.length, frame.commandLength());
    }
}
