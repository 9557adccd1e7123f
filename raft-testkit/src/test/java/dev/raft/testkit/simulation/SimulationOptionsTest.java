package dev.raft.testkit.simulation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Options are validated with messages naming the field, its value and the range; the replay command is one line. */
class SimulationOptionsTest {
    @Test
    void outOfRangeOptionsAreRefusedNamingTheField() {
        final IllegalArgumentException rounds = assertThrows(IllegalArgumentException.class,
            () -> SimulationOptions.defaults().withRounds(0));
        assertEquals("SimulationOptions.rounds: 0 not in [1, 1000000]", rounds.getMessage());
        final IllegalArgumentException clients = assertThrows(IllegalArgumentException.class,
            () -> new SimulationOptions(10, 17, PartWrapper.identity(), PartWrapper.identity()));
        assertEquals("SimulationOptions.clients: 17 not in [0, 16]", clients.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SimulationOptions.defaults().withLogStoreWrapper(null));
    }

    @Test
    void theReplayCommandIsOneLineNamingTheSeedTheRoundsAndTheTest() {
        final String command = SimulatedCluster.replayCommand(-42, 300, "SimulationSeedsTest");
        assertTrue(!command.contains("\n") && command.startsWith("mvn "), command);
        assertTrue(command.contains("-Dsim.seed=-42 -Dsim.rounds=300"), command);
        assertTrue(command.contains("-Dtest='SimulationSeedsTest'"), command);
    }

    @Test
    void aRunWithoutClientsStillChecksTheInvariants() {
        final SimulationResult r = SimulatedCluster.run(7, new SimulationOptions(400, 0, PartWrapper.identity(),
            PartWrapper.identity()), "SimulationOptionsTest");
        assertEquals(0, r.operations());
        assertTrue(r.leaderChecks() > 0, "a leader was elected and checked: " + r);
    }
}
