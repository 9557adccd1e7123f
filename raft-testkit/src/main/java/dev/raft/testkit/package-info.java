/** The raft-testkit: conformance suites, in-memory parts, simulation and linearizability checking. */
package dev.raft.testkit;
