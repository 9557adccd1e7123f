package dev.raft.transport.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.config.IdleMode;
import dev.raft.api.error.InvalidConfigException;
import io.aeron.driver.ThreadingMode;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class AeronTransportConfigTest {
    private static AeronTransportConfig.Builder valid() {
        return AeronTransportConfig.builder().clusterId(3).nodeId(1).endpoint(1, "127.0.0.1:20001").endpoint(2, "127.0.0.1:20002");
    }

    private static void assertRejected(UnaryOperator<AeronTransportConfig.Builder> change, String field, String value, String range) {
        final InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> change.apply(valid()).build());
        assertEquals("AeronTransportConfig." + field, e.field());
        assertTrue(e.getMessage().contains(value), e.getMessage());
        assertTrue(e.getMessage().contains(range), e.getMessage());
    }

    @Test
    void defaults() {
        final AeronTransportConfig c = valid().build();
        assertEquals(16 * 1024 * 1024, c.termLength());
        assertEquals(2 * 1024 * 1024, c.maxMessageLength());
        assertEquals(1408, c.mtu());
        assertEquals(IdleMode.BACKOFF, c.idleMode());
        assertTrue(c.embeddedDriver());
        assertTrue(c.aeronDirectory().contains("raft-aeron-c3-n1-"), c.aeronDirectory());
        assertEquals("aeron:udp?endpoint=127.0.0.1:20001", c.subscriptionChannel());
        assertEquals("aeron:udp?endpoint=127.0.0.1:20002|mtu=1408|term-length=16777216", c.publicationChannel(c.endpoint(2)));
        if (Runtime.getRuntime().availableProcessors() < 8) {
            assertEquals(ThreadingMode.SHARED, c.threadingMode());
        }
    }

    @Test
    void everyFieldIsRangeChecked() {
        assertRejected(b -> b.clusterId(-1), "clusterId", "-1", ">= 0");
        assertRejected(b -> b.nodeId(0), "nodeId", "0", "> 0");
        assertRejected(b -> b.nodeId(5), "endpoints", "[1, 2]", "local nodeId 5");
        assertRejected(b -> b.endpoint(2, "127.0.0.1"), "endpoints[2]", "'127.0.0.1'", "port in [1, 65535]");
        assertRejected(b -> b.endpoint(2, "127.0.0.1:70000"), "endpoints[2]", "70000", "port in [1, 65535]");
        assertRejected(b -> b.endpoint(2, ":20002"), "endpoints[2]", "':20002'", "non-empty host");
        assertRejected(b -> b.endpoint(2, "h:2|mtu=1"), "endpoints[2]", "h:2|mtu=1", "host:port");
        assertRejected(b -> b.endpoint(-4, "h:1"), "endpoints", "-4", "node ids > 0");
        assertRejected(b -> b.termLength(3_000_000), "termLength", "3000000", "power of two in [65536, 1073741824]");
        assertRejected(b -> b.termLength(32 * 1024), "termLength", "32768", "power of two");
        assertRejected(b -> b.mtu(1400), "mtu", "1400", "multiple of 32 in [576, 65504]");
        assertRejected(b -> b.mtu(65536), "mtu", "65536", "multiple of 32");
        assertRejected(b -> b.backPressureRetries(-1), "backPressureRetries", "-1", "[0, 1000000]");
        assertRejected(b -> b.maxParkMicros(0), "maxParkMicros", "0", "[1, 1000000]");
        assertRejected(b -> b.pollFragmentLimit(0), "pollFragmentLimit", "0", "[1, 65536]");
        assertRejected(b -> b.idleMode(null), "idleMode", "null", "BACKOFF");
        assertRejected(b -> b.threadingMode(null), "threadingMode", "null", "SHARED");
        assertRejected(b -> b.aeronDirectory(" "), "aeronDirectory", "' '", "directory path");
    }

    @Test
    void externalDriverUsesTheGivenDirectory() {
        final AeronTransportConfig c = valid().embeddedDriver(false).aeronDirectory("/dev/shm/external").build();
        assertEquals("/dev/shm/external", c.aeronDirectory());
    }
}
