/**
 * Deterministic cluster simulation: {@link dev.raft.testkit.simulation.SimulatedCluster} steps 3 to 7 nodes in one
 * thread from one seed, on a simulated clock and network, with crashes that lose unflushed writes, snapshots and
 * a key-value client workload; it checks the Raft safety invariants after every step and the linearizability
 * of the client history after every run. A failing seed is reported with a one-line command that replays it.
 */
package dev.raft.testkit.simulation;
