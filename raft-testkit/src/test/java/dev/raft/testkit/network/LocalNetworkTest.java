package dev.raft.testkit.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.message.RaftMessage;
import dev.raft.api.message.VoteRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

/** The in-memory transport and its fault controls, on a manual clock. */
class LocalNetworkTest {
    private final CachedNanoClock clock = new CachedNanoClock();
    private final LocalNetwork network = new LocalNetwork(clock, 1);
    private final LocalTransport t1 = network.register(1);
    private final LocalTransport t2 = network.register(2);
    private final LocalTransport t3 = network.register(3);
    private final List<RaftMessage> received = new ArrayList<>();

    LocalNetworkTest() {
        for (LocalTransport t : List.of(t1, t2, t3)) {
            t.updateMembership(Membership.of(1, 2, 3));
        }
    }

    private static VoteRequest vote(int from, int to, long term) {
        return new VoteRequest().set(from, to, term, 0, 0, false, false);
    }

    private int poll(LocalTransport t) {
        return t.poll(m -> received.add(m.copy()), 100);
    }

    @Test
    void sendCopiesTheMessageAndPollDeliversIt() {
        final VoteRequest m = vote(1, 2, 5);
        assertTrue(t1.send(m));
        m.term(99); // the sender reuses its message at once
        assertEquals(1, poll(t2));
        assertEquals(5, received.get(0).term());
    }

    @Test
    void deliveredCopiesAreReusedForLaterMessagesWithTheirNewContent() {
        final List<RaftMessage> seen = new ArrayList<>();
        assertTrue(t1.send(vote(1, 2, 5)));
        t2.poll(seen::add, 10);
        assertTrue(t1.send(vote(1, 2, 6)));
        t2.poll(seen::add, 10);
        assertEquals(2, seen.size());
        assertTrue(seen.get(0) == seen.get(1), "the delivered copy was recycled for the next message");
        assertEquals(6, seen.get(1).term(), "and carries the next message's content");
    }

    @Test
    void partitionCutsLinksBothWaysAndHealRestoresThem() {
        network.partition(new int[] {1}, new int[] {2, 3});
        assertFalse(t1.send(vote(1, 2, 1)));
        assertFalse(t2.send(vote(2, 1, 1)));
        assertTrue(t2.send(vote(2, 3, 1)));
        assertEquals(1, poll(t3));
        network.heal();
        assertTrue(t1.send(vote(1, 2, 1)));
        network.isolate(2); // in flight when the link is cut: lost on delivery
        assertEquals(0, poll(t2));
        assertEquals(3, network.droppedCount());
    }

    @Test
    void dropLosesMessagesWithTheGivenProbability() {
        network.drop(1, 2, 0.5);
        int sent = 0;
        for (int i = 0; i < 1000; i++) {
            sent += t1.send(vote(1, 2, i)) ? 1 : 0;
        }
        assertTrue(sent > 400 && sent < 600, "about half: " + sent);
        assertEquals(sent, poll(t2) + poll(t2) + poll(t2) + poll(t2) + poll(t2) + poll(t2) + poll(t2) + poll(t2)
            + poll(t2) + poll(t2));
        assertTrue(t1.send(vote(1, 3, 1)), "other links are unaffected");
    }

    @Test
    void delayHoldsMessagesUntilTheirTimeAndReorders() {
        network.delay(1, 2, 0, 10);
        for (int i = 0; i < 50; i++) {
            t1.send(vote(1, 2, i));
        }
        clock.advance(TimeUnit.MILLISECONDS.toNanos(11));
        while (poll(t2) > 0) {
            // drain
        }
        assertEquals(50, received.size());
        boolean reordered = false;
        for (int i = 1; i < received.size(); i++) {
            reordered |= received.get(i).term() < received.get(i - 1).term();
        }
        assertTrue(reordered, "random delays reorder messages");
    }

    @Test
    void duplicateDeliversSomeMessagesTwice() {
        network.duplicate(1, 2, 0.3);
        for (int i = 0; i < 100; i++) {
            t1.send(vote(1, 2, i));
        }
        int delivered = 0;
        int got;
        while ((got = poll(t2)) > 0) {
            delivered += got;
        }
        assertEquals(100 + network.duplicatedCount(), delivered);
        assertTrue(network.duplicatedCount() > 10 && network.duplicatedCount() < 60, "about 30: " + network.duplicatedCount());
    }

    @Test
    void messagesFromNonMembersOrForOtherNodesAreRejected() {
        t2.updateMembership(Membership.of(2, 3));
        t1.send(vote(1, 2, 1));
        assertEquals(0, poll(t2));
        assertEquals(1, t2.rejectedCount());
    }

    @Test
    void aNodeHasOneOpenTransportAndAClosedOneRefusesToSend() {
        assertThrows(IllegalStateException.class, () -> network.register(1));
        t1.close();
        assertThrows(IllegalStateException.class, () -> t1.send(vote(1, 2, 1)));
        assertFalse(t2.send(vote(2, 1, 1)), "no route to a closed transport");
        network.register(1).close();
    }
}
