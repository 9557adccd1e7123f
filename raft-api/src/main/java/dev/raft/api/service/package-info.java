/**
 * Services that run on a node's own thread ({@link dev.raft.api.service.NodeService}): the way to serve clients
 * with no thread, queue or future of their own per request. A service is polled in every duty cycle of the node,
 * proposes and reads through a {@link dev.raft.api.service.NodeContext} without copying into a queue, and hears each
 * outcome on the same thread through an {@link dev.raft.api.service.OutcomeListener} — the shape of Aeron Cluster's
 * ingress, which its consensus module polls on its own thread.
 */
package dev.raft.api.service;
