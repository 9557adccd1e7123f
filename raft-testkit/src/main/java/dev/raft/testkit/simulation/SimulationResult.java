package dev.raft.testkit.simulation;

/**
 * What one passing simulation run did.
 *
 * @param seed             the seed
 * @param nodes            cluster size
 * @param traceHash        a hash of everything observed, step by step: equal for runs of the same seed
 * @param simulatedMillis  simulated time covered
 * @param faults           faults injected (partitions, isolations, heals, link faults, crashes, snapshots)
 * @param crashes          node crashes among them
 * @param messagesSent     messages handed to the network
 * @param messagesDropped  messages lost to faults
 * @param operations       client operations invoked
 * @param operationsOk     of which returned an answer
 * @param operationsUnknown of which have an unknown outcome (kept as pending in the history)
 * @param operationsChecked operations in the history checked for linearizability
 * @param linearizabilityUnknown whether the checker ran out of budget (the history was not proven either way)
 * @param appliedChecks    applied entries compared against the other replicas
 * @param leaderChecks     new leaders whose log was checked for completeness
 * @param snapshots        snapshots built on request
 * @param purges           log purges
 * @param restores         snapshots restored into a state machine (at restart or installed from the leader)
 * @param settleMillis     simulated time the healed cluster took to converge after the last round
 * @param membershipChanges membership changes (add learner, promote, remove) that completed, committed
 * @param transfers        leadership transfers that completed
 * @param adminFailures    membership changes and transfers that failed (refused, timed out, leadership lost)
 * @param commitQuorumChecks leader commits checked against the quorums of the configuration in force
 */
public record SimulationResult(long seed, int nodes, long traceHash, long simulatedMillis, long faults, long crashes,
                               long messagesSent, long messagesDropped, long operations, long operationsOk,
                               long operationsUnknown, long operationsChecked, boolean linearizabilityUnknown,
                               long appliedChecks, long leaderChecks, long snapshots, long purges,
                               long restores, long settleMillis, long membershipChanges, long transfers,
                               long adminFailures, long commitQuorumChecks) {
}
