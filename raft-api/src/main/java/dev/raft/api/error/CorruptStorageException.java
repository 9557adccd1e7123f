package dev.raft.api.error;

/** Stored data failed its checks (length, checksum, sequence). Always fatal; names the file and byte offset. */
public final class CorruptStorageException extends StorageException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long byteOffset;

    /**
     * @param file       the file (or other location) holding the bad data
     * @param byteOffset the offset of the bad data in it
     * @param detail     what is wrong
     */
    public CorruptStorageException(String file, long byteOffset, String detail) {
        super("corrupt data in " + file + " at byte " + byteOffset + ": " + detail, true, null);
        this.file = file;
        this.byteOffset = byteOffset;
    }

    /** The file holding the bad data. */
    public String file() {
        return file;
    }

    /** The offset of the bad data. */
    public long byteOffset() {
        return byteOffset;
    }
}
