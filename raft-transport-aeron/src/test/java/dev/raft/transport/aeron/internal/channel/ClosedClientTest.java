package dev.raft.transport.aeron.internal.channel;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.message.VoteRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Aeron client closes itself when its driver times it out (seen as a SIGSEGV in a loaded raftkv server:
 * the node thread counted a send drop in the unmapped counters file). The transport then throws a fatal,
 * explained error from {@code send} and {@code poll} instead of touching unmapped memory.
 */
class ClosedClientTest {
    @Test
    @Timeout(60)
    void sendAndPollFailClearlyOnceTheAeronClientClosedItself() {
        try (LiveCluster cluster = new LiveCluster(new int[] {1, 2, 3}, 1)) {
            final AeronTransport transport = cluster.get(1);
            transport.updateMembership(Messages.MEMBERS);
            transport.aeron().close(); // as the client conductor does on a driver timeout
            final IllegalStateException send = assertThrows(IllegalStateException.class,
                () -> transport.send(new VoteRequest().set(1, 2, 3, 4, 2, false, false)));
            assertTrue(send.getMessage().contains("Aeron client closed itself"), send.getMessage());
            assertThrows(IllegalStateException.class, () -> transport.poll(m -> { }, 10));
        }
    }
}
