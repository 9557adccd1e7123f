/**
 * The Raft RPCs. Messages are mutable and reusable, in the style of Aeron flyweights, so that the
 * steady-state path allocates nothing: whoever hands a message to another party (a transport's
 * {@code send}, a handler's {@code onMessage}) keeps ownership, and the receiving party must copy
 * what it needs before the call returns. {@link dev.raft.api.message.RaftMessage#copy()} makes a
 * detached copy for cold paths and tests.
 *
 * <p>Every message carries the sender ({@code from}), the target ({@code to}) and the sender's term.
 */
package dev.raft.api.message;
