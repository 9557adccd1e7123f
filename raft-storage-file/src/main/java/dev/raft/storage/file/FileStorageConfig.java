package dev.raft.storage.file;

import dev.raft.api.error.InvalidConfigException;

/**
 * The configuration of the file storage. Immutable; built with {@link #builder()} and validated by
 * {@link Builder#build()}, which names the first bad field, its value and the allowed range.
 */
public final class FileStorageConfig {
    /** Smallest segment size: 4 KiB. */
    public static final int MIN_SEGMENT_BYTES = 4 * 1024;
    /** Largest segment size: 1 GiB. */
    public static final int MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;
    /** Smallest write or read buffer: 4 KiB. */
    public static final int MIN_BUFFER_BYTES = 4 * 1024;
    /** Largest write or read buffer: 64 MiB. */
    public static final int MAX_BUFFER_BYTES = 64 * 1024 * 1024;

    private final int segmentSizeBytes;
    private final DurabilityMode durabilityMode;
    private final int writeBufferBytes;
    private final int readBufferBytes;
    private final boolean preallocate;

    private FileStorageConfig(Builder b) {
        segmentSizeBytes = b.segmentSizeBytes;
        durabilityMode = b.durabilityMode;
        writeBufferBytes = b.writeBufferBytes;
        readBufferBytes = b.readBufferBytes;
        preallocate = b.preallocate;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 64 MiB segments, {@link DurabilityMode#FSYNC}, 1 MiB write buffer, 256 KiB read buffer, preallocation on. */
    public static FileStorageConfig defaults() {
        return builder().build();
    }

    /** A builder starting from this configuration's values. */
    public Builder toBuilder() {
        return new Builder()
            .segmentSizeBytes(segmentSizeBytes)
            .durabilityMode(durabilityMode)
            .writeBufferBytes(writeBufferBytes)
            .readBufferBytes(readBufferBytes)
            .preallocate(preallocate);
    }

    /** The fixed size of every log segment file, in bytes. An entry's record must fit in one segment. Default 64 MiB. */
    public int segmentSizeBytes() {
        return segmentSizeBytes;
    }

    /**
     * The largest entry payload a log with this config stores (an entry never spans two segments): the segment
     * size less the segment and record headers. Keep {@code RaftConfig.maxBytesPerAppend} at or below it.
     */
    public int maxEntryBytes() {
        return dev.raft.storage.file.internal.segment.SegmentFormat.maxPayload(segmentSizeBytes);
    }

    /** Whether batches are forced before they are reported durable. Default {@link DurabilityMode#FSYNC}. */
    public DurabilityMode durabilityMode() {
        return durabilityMode;
    }

    /**
     * The reusable direct buffer appends are encoded into before one positional write (capped at the segment
     * size). Default 1 MiB.
     */
    public int writeBufferBytes() {
        return writeBufferBytes;
    }

    /** The per-thread direct buffer reads fill with one positional read. Default 256 KiB. */
    public int readBufferBytes() {
        return readBufferBytes;
    }

    /**
     * Whether segment files are preallocated by writing zeros (on a background thread, one spare segment
     * ahead) rather than created sparse. Default true.
     */
    public boolean preallocate() {
        return preallocate;
    }

    @Override
    public String toString() {
        return "FileStorageConfig{segmentSizeBytes=" + segmentSizeBytes + ", durabilityMode=" + durabilityMode
            + ", writeBufferBytes=" + writeBufferBytes + ", readBufferBytes=" + readBufferBytes
            + ", preallocate=" + preallocate + '}';
    }

    /** Builds a {@link FileStorageConfig}; every setter returns the builder. */
    public static final class Builder {
        private int segmentSizeBytes = 64 * 1024 * 1024;
        private DurabilityMode durabilityMode = DurabilityMode.FSYNC;
        private int writeBufferBytes = 1024 * 1024;
        private int readBufferBytes = 256 * 1024;
        private boolean preallocate = true;

        private Builder() {
        }

        /** See {@link FileStorageConfig#segmentSizeBytes()}. */
        public Builder segmentSizeBytes(int value) {
            segmentSizeBytes = value;
            return this;
        }

        /** See {@link FileStorageConfig#durabilityMode()}. */
        public Builder durabilityMode(DurabilityMode value) {
            durabilityMode = value;
            return this;
        }

        /** See {@link FileStorageConfig#writeBufferBytes()}. */
        public Builder writeBufferBytes(int value) {
            writeBufferBytes = value;
            return this;
        }

        /** See {@link FileStorageConfig#readBufferBytes()}. */
        public Builder readBufferBytes(int value) {
            readBufferBytes = value;
            return this;
        }

        /** See {@link FileStorageConfig#preallocate()}. */
        public Builder preallocate(boolean value) {
            preallocate = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException naming the first field out of its range
         */
        public FileStorageConfig build() {
            requireRange("segmentSizeBytes", segmentSizeBytes, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
            if (durabilityMode == null) {
                throw new InvalidConfigException("FileStorageConfig.durabilityMode", null, "FSYNC or NO_FSYNC");
            }
            requireRange("writeBufferBytes", writeBufferBytes, MIN_BUFFER_BYTES, MAX_BUFFER_BYTES);
            requireRange("readBufferBytes", readBufferBytes, MIN_BUFFER_BYTES, MAX_BUFFER_BYTES);
            return new FileStorageConfig(this);
        }

        private static void requireRange(String field, int value, int min, int max) {
            InvalidConfigException.requireInRange("FileStorageConfig." + field, value, min, max);
        }
    }
}
