package dev.raft.testkit.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.EntryBatch;
import dev.raft.api.Entry;
import dev.raft.api.EntryType;
import dev.raft.api.EntryView;
import dev.raft.api.Vote;
import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.FlushCallback;
import dev.raft.api.storage.LogStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The simulation's checks bite: each test plants a bug in a node's parts and asserts that some seed fails
 * with a message naming the seed, the broken property and the replay command, and that replaying the
 * failing seed fails the same way.
 */
class PlantedBugsTest {
    private static final String SELF = "PlantedBugsTest";

    /** A state machine that answers every read with "absent" (acks wrongly), whatever the key holds. */
    private static final class ForgetfulReads extends ForwardingStateMachine {
        ForgetfulReads(StateMachine delegate) {
            super(delegate);
        }

        @Override
        public byte[] apply(EntryView entry) {
            final byte[] response = delegate.apply(entry);
            final boolean get = entry.payloadLength() > 0 && entry.payload().getByte(0) == 2;
            return get ? new byte[0] : response;
        }
    }

    /** A state machine that applies entry 5 with its last payload byte flipped (a corrupting replica). */
    private static final class CorruptEntryFive extends ForwardingStateMachine {
        CorruptEntryFive(StateMachine delegate) {
            super(delegate);
        }

        @Override
        public byte[] apply(EntryView entry) {
            if (entry.index() != 5 || entry.type() != EntryType.NORMAL || entry.payloadLength() == 0) {
                return delegate.apply(entry);
            }
            final byte[] payload = new byte[entry.payloadLength()];
            entry.payload().getBytes(0, payload);
            payload[payload.length - 1] ^= 1;
            return delegate.apply(Entry.normal(entry.term(), entry.index(), payload));
        }
    }

    /** A log store that reports every append durable at once, though a crash still loses it. */
    private static final class EarlyFlushReports extends ForwardingLogStore {
        EarlyFlushReports(LogStore delegate) {
            super(delegate);
        }

        @Override
        public void append(EntryBatch entries, FlushCallback callback) {
            final long last = entries.lastIndex();
            delegate.append(entries, index -> { });
            callback.onFlushed(last);
        }
    }

    /** A log store that never persists the vote: a restarted node may vote twice in one term. */
    private static final class ForgetfulVotes extends ForwardingLogStore {
        ForgetfulVotes(LogStore delegate) {
            super(delegate);
        }

        @Override
        public void saveVote(Vote vote) {
        }

        @Override
        public Vote readVote() {
            return Vote.INITIAL;
        }
    }

    @Test
    @Timeout(60)
    void aStateMachineThatAnswersReadsWrongIsCaughtByTheLinearizabilityCheck() {
        final SimulationOptions options = SimulationOptions.defaults()
            .withStateMachineWrapper((id, sm) -> new ForgetfulReads(sm));
        final SimulationFailure failure = firstFailure(options, SELF + "#aStateMachineThatAnswersReadsWrong*", 20);
        assertTrue(failure.getMessage().contains("not linearizable"), failure.getMessage());
    }

    @Test
    @Timeout(60)
    void aReplicaThatAppliesACorruptedEntryIsCaughtByStateMachineSafety() {
        final SimulationOptions options = SimulationOptions.defaults()
            .withStateMachineWrapper((id, sm) -> id == 2 ? new CorruptEntryFive(sm) : sm);
        final SimulationFailure failure = firstFailure(options, SELF + "#aReplicaThatAppliesACorruptedEntry*", 20);
        assertTrue(failure.getMessage().contains("state-machine safety: node "), failure.getMessage());
    }

    @Test
    @Timeout(120)
    void aStoreThatReportsFlushesTooEarlyIsCaught() {
        final SimulationOptions options = SimulationOptions.defaults()
            .withLogStoreWrapper((id, log) -> new EarlyFlushReports(log));
        final SimulationFailure failure = firstFailure(options, SELF + "#aStoreThatReportsFlushesTooEarly*", 400);
        System.out.println("early flush reports: " + failure.getMessage());
    }

    @Test
    @Timeout(120)
    void aStoreThatForgetsTheVoteIsCaught() {
        final SimulationOptions options = SimulationOptions.defaults()
            .withLogStoreWrapper((id, log) -> new ForgetfulVotes(log));
        final SimulationFailure failure = firstFailure(options, SELF + "#aStoreThatForgetsTheVote*", 400);
        System.out.println("forgotten votes: " + failure.getMessage());
    }

    /**
     * The first seed (of {@code maxSeeds}, or {@code -Dsim.seed}) whose run fails; checks its report and that
     * replaying it fails identically.
     */
    private static SimulationFailure firstFailure(SimulationOptions options, String test, int maxSeeds) {
        final String single = System.getProperty(SimulatedCluster.SEED_PROPERTY);
        final long first = single == null ? 1 : Long.parseLong(single);
        final long end = single == null ? first + maxSeeds : first + 1;
        SimulationFailure failure = null;
        for (long seed = first; seed < end && failure == null; seed++) {
            final long s = seed;
            try {
                SimulatedCluster.run(s, options, test);
            } catch (SimulationFailure f) {
                failure = f;
            }
        }
        assertNotNull(failure, "the planted bug went unnoticed in seeds " + first + ".." + (end - 1));
        final long seed = failure.seed();
        assertTrue(failure.getMessage().startsWith("simulation seed " + seed + " failed: "), failure.getMessage());
        assertEquals(SimulatedCluster.replayCommand(seed, options.rounds(), test), failure.replayCommand());
        assertTrue(failure.getMessage().contains("replay: " + failure.replayCommand()), failure.getMessage());
        assertTrue(failure.replayCommand().contains("-Dsim.seed=" + seed), failure.replayCommand());
        final SimulationFailure replay = assertThrows(SimulationFailure.class,
            () -> SimulatedCluster.run(seed, options, test));
        assertEquals(failure.traceHash(), replay.traceHash(), "the replay follows the same trace");
        assertEquals(withoutElapsed(failure.getMessage()), withoutElapsed(replay.getMessage()), "and fails identically");
        return failure;
    }

    /** The message without the checker's real elapsed time. */
    private static String withoutElapsed(String message) {
        return message.replaceAll(", \\d+ ms\\)", ")");
    }
}
