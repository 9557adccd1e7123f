/**
 * Frame authentication: HMAC-SHA256 tags (truncated to 16 bytes) over whole frames, with a current and an
 * optional second key accepted at once for rotation, and loading of keys from an owner-only key file.
 *
 * <p>{@link dev.raft.transport.aeron.auth.FrameAuthenticator} signs and verifies frames in any Agrona buffer
 * without allocating; {@link dev.raft.transport.aeron.auth.MacKeys} holds the keys;
 * {@link dev.raft.transport.aeron.auth.KeyFile} reads them and refuses files that group or others can access.
 * The Aeron transport uses them for cluster traffic; any other protocol (client requests) can use them the
 * same way.
 */
package dev.raft.transport.aeron.auth;
