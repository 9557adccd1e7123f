package dev.raft.testkit.simulation;

import dev.raft.api.statemachine.StateMachine;
import dev.raft.api.storage.LogStore;

/**
 * What one simulation run does besides its seed (the seed chooses the cluster size, the faults and the
 * workload; these options bound the run and plant test doubles).
 *
 * @param rounds            rounds to run; each advances the simulated clock by 0.5 to 3 ms and steps every live
 *                          node once (1 to 1,000,000)
 * @param clients           concurrent clients of the KV workload, each with one operation in flight (0 to 16)
 * @param logStoreWrapper   wraps each node's log store (identity normally; a test plants a broken store here)
 * @param stateMachineWrapper wraps each node's {@code KvStateMachine} (identity normally; a test plants a
 *                          broken state machine here)
 */
public record SimulationOptions(int rounds, int clients, PartWrapper<LogStore> logStoreWrapper,
                                PartWrapper<StateMachine> stateMachineWrapper) {

    /** The rounds of a default run: about two seconds of simulated time. */
    public static final int DEFAULT_ROUNDS = 1200;
    /** The clients of a default run. */
    public static final int DEFAULT_CLIENTS = 3;

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException naming the field, its value and the allowed range
     */
    public SimulationOptions {
        if (rounds < 1 || rounds > 1_000_000) {
            throw new IllegalArgumentException("SimulationOptions.rounds: " + rounds + " not in [1, 1000000]");
        }
        if (clients < 0 || clients > 16) {
            throw new IllegalArgumentException("SimulationOptions.clients: " + clients + " not in [0, 16]");
        }
        if (logStoreWrapper == null || stateMachineWrapper == null) {
            throw new IllegalArgumentException("SimulationOptions: wrappers must not be null (use PartWrapper.identity())");
        }
    }

    /** The default options: {@link #DEFAULT_ROUNDS} rounds, {@link #DEFAULT_CLIENTS} clients, no planted double. */
    public static SimulationOptions defaults() {
        return new SimulationOptions(DEFAULT_ROUNDS, DEFAULT_CLIENTS, PartWrapper.identity(), PartWrapper.identity());
    }

    /** These options with another number of rounds. */
    public SimulationOptions withRounds(int newRounds) {
        return new SimulationOptions(newRounds, clients, logStoreWrapper, stateMachineWrapper);
    }

    /** These options with another log store wrapper. */
    public SimulationOptions withLogStoreWrapper(PartWrapper<LogStore> wrapper) {
        return new SimulationOptions(rounds, clients, wrapper, stateMachineWrapper);
    }

    /** These options with another state machine wrapper. */
    public SimulationOptions withStateMachineWrapper(PartWrapper<StateMachine> wrapper) {
        return new SimulationOptions(rounds, clients, logStoreWrapper, wrapper);
    }
}
