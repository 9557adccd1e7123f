package dev.raft.examples.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.message.VoteRequest;
import dev.raft.testkit.network.LocalNetwork;
import dev.raft.testkit.network.LocalTransport;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The decorator loses exactly what its rules say, in each direction, and its control socket sets the rules. */
class FaultInjectingTransportTest {
    private final LocalNetwork network = new LocalNetwork();
    private LocalTransport t1;
    private LocalTransport t2;
    private LocalTransport t3;
    private FaultInjectingTransport faulty;

    @BeforeEach
    void setUp() {
        t1 = network.register(1);
        t2 = network.register(2);
        t3 = network.register(3);
        for (LocalTransport t : List.of(t1, t2, t3)) {
            t.updateMembership(Membership.of(1, 2, 3));
        }
        faulty = new FaultInjectingTransport(t1);
    }

    @AfterEach
    void tearDown() {
        faulty.close();
        t2.close();
        t3.close();
    }

    private static VoteRequest vote(int from, int to) {
        return new VoteRequest().set(from, to, 5, 0, 0, false, false);
    }

    private static List<Integer> senders(dev.raft.api.transport.Transport t) {
        final List<Integer> from = new ArrayList<>();
        t.poll(m -> from.add(m.from()), 100);
        return from;
    }

    @Test
    void noRulesLoseNothing() {
        assertTrue(faulty.send(vote(1, 2)));
        t2.send(vote(2, 1));
        assertEquals(List.of(1), senders(t2));
        assertEquals(List.of(2), senders(faulty));
        assertEquals(0, faulty.lostOut() + faulty.lostIn());
    }

    @Test
    void dropOutLosesOnlyWhatGoesToThosePeers() {
        faulty.rules(FaultRules.parse("drop-out 2"));
        assertTrue(faulty.send(vote(1, 2)), "a lost datagram looks sent");
        assertTrue(faulty.send(vote(1, 3)));
        t2.send(vote(2, 1));
        assertEquals(List.of(), senders(t2));
        assertEquals(List.of(1), senders(t3));
        assertEquals(List.of(2), senders(faulty), "the other direction still works");
        assertEquals(1, faulty.lostOut());
    }

    @Test
    void dropInLosesOnlyWhatComesFromThosePeers() {
        faulty.rules(FaultRules.parse("drop-in 3"));
        t2.send(vote(2, 1));
        t3.send(vote(3, 1));
        assertEquals(List.of(2), senders(faulty));
        faulty.send(vote(1, 3));
        assertEquals(List.of(1), senders(t3), "the other direction still works");
        assertEquals(1, faulty.lostIn());
    }

    @Test
    void isolateLosesEverythingAndHealRestores() {
        faulty.rules(FaultRules.parse("isolate"));
        faulty.send(vote(1, 2));
        faulty.send(vote(1, 3));
        t2.send(vote(2, 1));
        t3.send(vote(3, 1));
        assertEquals(0, faulty.poll(m -> { }, 100));
        assertEquals(List.of(), senders(t2));
        assertEquals(List.of(), senders(t3));
        faulty.rules(FaultRules.parse("heal"));
        faulty.send(vote(1, 2));
        t3.send(vote(3, 1));
        assertEquals(List.of(1), senders(t2));
        assertEquals(List.of(3), senders(faulty));
    }

    @Test
    void dropIsBothWays() {
        faulty.rules(FaultRules.parse("drop 2,3"));
        assertTrue(faulty.rules().losesTo(2) && faulty.rules().losesFrom(3));
        assertFalse(faulty.rules().losesTo(4));
        assertEquals("drop-out 2,3 drop-in 2,3", faulty.rules().toString());
    }

    @Test
    void badRequestsAreRefusedWithOneLine() {
        assertThrows(IllegalArgumentException.class, () -> FaultRules.parse("drop"));
        assertThrows(IllegalArgumentException.class, () -> FaultRules.parse("drop 2,x"));
        assertThrows(IllegalArgumentException.class, () -> FaultRules.parse("drop 0"));
        assertThrows(IllegalArgumentException.class, () -> FaultRules.parse("explode"));
        assertThrows(IllegalArgumentException.class, () -> FaultRules.parse("isolate now"));
    }

    @Test
    void theControlSocketSetsRulesAndAnswers() throws Exception {
        try (FaultControlServer control = new FaultControlServer(faulty, 0);
             DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            client.setSoTimeout(10_000);
            assertEquals("ok isolate lost-out=0 lost-in=0", request(client, control.port(), "isolate"));
            assertTrue(faulty.rules().losesTo(2));
            assertTrue(request(client, control.port(), "drop-out nine").startsWith("error "), "a bad request is refused");
            assertEquals("ok isolate lost-out=0 lost-in=0", request(client, control.port(), "status"),
                "a refused request changes nothing");
            assertEquals("ok heal lost-out=0 lost-in=0", request(client, control.port(), "heal\n"));
            assertFalse(faulty.rules().losesTo(2));
        }
    }

    private static String request(DatagramSocket client, int port, String text) throws Exception {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        client.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        final DatagramPacket reply = new DatagramPacket(new byte[512], 512);
        client.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
    }
}
