/**
 * The replicated key-value store: its state machine ({@link dev.raft.examples.kv.KvStateMachine}), its
 * command codec ({@link dev.raft.examples.kv.KvCommands}), a node wired with Guice from the framework's
 * modules ({@link dev.raft.examples.kv.KvNode}) and the client protocol on Aeron
 * ({@link dev.raft.examples.kv.ClientService} on the server, {@link dev.raft.examples.kv.KvClient} and its
 * outcomes {@link dev.raft.examples.kv.KvOutcome} on the client; limits in {@link dev.raft.examples.kv.ClientProtocol},
 * the optional client key in {@link dev.raft.examples.kv.ClientAuthenticator}).
 *
 * <p>Reads go through the Raft log like writes (a GET is a replicated command), which makes them
 * linearizable at the cost of a log entry each; ReadIndex reads that skip the log come later.
 */
package dev.raft.examples.kv;
