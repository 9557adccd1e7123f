package dev.raft.api.transport;

import dev.raft.api.message.RaftMessage;

/** Receives messages from {@link Transport#poll}. */
@FunctionalInterface
public interface MessageHandler {
    /**
     * One received message. The message object and every buffer it holds are valid only during this
     * call: the transport reuses them. Copy what must outlive the call.
     */
    void onMessage(RaftMessage message);
}
