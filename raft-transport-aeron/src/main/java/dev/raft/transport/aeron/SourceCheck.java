package dev.raft.transport.aeron;

/**
 * What the transport does with a frame whose UDP source address is not a configured address of the member
 * it claims to come from (Aeron's {@code Image.sourceIdentity()} against the host of that member's
 * endpoint in {@link AeronTransportConfig#endpoints()}).
 */
public enum SourceCheck {
    /** No check. */
    OFF,
    /** Count the mismatch (counter {@code source-mismatches}) and deliver the frame: the default. */
    COUNT,
    /**
     * Count the mismatch and drop the frame ({@code receive-drop source-mismatch}). Only for hosts that send
     * from the address they listen on (one interface, no NAT between members).
     */
    DROP
}
