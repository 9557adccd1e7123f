package dev.raft.core.session;

import java.util.Arrays;

/**
 * What a {@link SessionStateMachine} answers for one command: its {@link SessionStatus} and, when the application
 * produced one, the application's response. Encoded as {@code status code (1 byte), present (1 byte: 1 if a
 * response follows), response bytes}.
 *
 * @param status   what the session layer did
 * @param response the application's response (for {@link SessionStatus#REPLAYED}: the first application's), or
 *                 null when there is none
 */
public record SessionResponse(SessionStatus status, byte[] response) {
    /** Bytes before the application's response. */
    public static final int HEADER_LENGTH = 2;

    /** Encodes a status and response (may be null). */
    public static byte[] encode(SessionStatus status, byte[] response) {
        final int length = response == null ? 0 : response.length;
        final byte[] bytes = new byte[HEADER_LENGTH + length];
        bytes[0] = status.code();
        bytes[1] = (byte) (response == null ? 0 : 1);
        if (response != null) {
            System.arraycopy(response, 0, bytes, HEADER_LENGTH, length);
        }
        return bytes;
    }

    /**
     * Decodes what {@link SessionStateMachine#apply} returned.
     *
     * @throws IllegalArgumentException naming the field if the bytes are no session response
     */
    public static SessionResponse decode(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_LENGTH) {
            throw new IllegalArgumentException("session response: " + (bytes == null ? "none" : bytes.length + " bytes")
                + ", shorter than its " + HEADER_LENGTH + "-byte header");
        }
        final SessionStatus status = SessionStatus.fromCode(bytes[0]);
        if (bytes[1] != 0 && bytes[1] != 1) {
            throw new IllegalArgumentException("session response: field 'present' = " + bytes[1] + " at byte 1, expected 0 or 1");
        }
        if (bytes[1] == 0 && bytes.length != HEADER_LENGTH) {
            throw new IllegalArgumentException("session response: " + (bytes.length - HEADER_LENGTH)
                + " response bytes follow although field 'present' = 0");
        }
        return new SessionResponse(status, bytes[1] == 0 ? null : Arrays.copyOfRange(bytes, HEADER_LENGTH, bytes.length));
    }
}
