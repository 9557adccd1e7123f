package dev.raft.storage.file.internal.log;

/** Deterministic payloads by index, free of test-framework types (the kill test's child JVM uses it). */
public final class Payloads {
    private Payloads() {
    }

    /** The payload of entry {@code index}: length varies with the index (0..100 bytes). */
    public static byte[] of(long index) {
        final int length = (int) ((index * 37) % 101);
        final byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (index * 31 + i);
        }
        return b;
    }
}
