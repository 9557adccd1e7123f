/** Leader election: randomized timeouts, PreVote, vote requests and answers, the tally, CheckQuorum and the lease. */
package dev.raft.core.internal.engine.election;
