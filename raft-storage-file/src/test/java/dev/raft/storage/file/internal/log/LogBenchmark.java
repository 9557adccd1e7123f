package dev.raft.storage.file.internal.log;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.storage.FlushCallback;
import dev.raft.storage.file.DurabilityMode;
import dev.raft.storage.file.FileStorageConfig;
import dev.raft.storage.file.internal.StorageDirectory;
import dev.raft.storage.file.internal.segment.SegmentFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The log benchmark, in one run: append throughput of the file log against a raw {@code FileChannel.write}
 * (+ {@code force}) loop writing the same bytes in the same batch sizes, for 64 B and 1 KiB entries with
 * fsync on and off; allocation per entry on the writer and flusher threads; recovery time of a 1 GiB log.
 *
 * <p>Run: {@code mvn -o -q -B install -pl raft-storage-file -am -DskipTests -Pbench} (see the module
 * README). System properties: {@code bench.dir} (default the system temp dir), {@code bench.seconds}
 * (default 3 per measurement), {@code bench.recoveryMiB} (default 1024), {@code bench.modes} (default
 * {@code FSYNC,NO_FSYNC}).
 */
public final class LogBenchmark {
    private static final int SEGMENT = 64 * 1024 * 1024;
    private static final int BATCH = 64;
    private static final int PIPELINE = 8;
    private static final int ROUNDS = 3;
    private static final long MIB = 1024 * 1024;

    private LogBenchmark() {
    }

    /** Runs every measurement and prints a table. */
    public static void main(String[] args) throws Exception {
        final Path root = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))),
            "raft-log-bench");
        final double seconds = Double.parseDouble(System.getProperty("bench.seconds", "3"));
        final int recoveryMiB = Integer.getInteger("bench.recoveryMiB", 1024);
        try {
            System.out.printf(Locale.ROOT, "raft-storage-file log benchmark: %d entries per append batch, %d MiB segments, "
                + "%.1f s per measurement in %d interleaved rounds (each repeated on fresh segments, at most 4 times), dir %s%n",
                BATCH, SEGMENT / MIB, seconds, ROUNDS, root);
            System.out.printf(Locale.ROOT, "%-7s %-8s %-26s %12s %9s %8s %10s%n", "entry", "mode", "writer", "entries/s",
                "MiB/s", "vs raw", "B/entry");
            final java.util.List<String> modes = java.util.List.of(System.getProperty("bench.modes", "FSYNC,NO_FSYNC").split(","));
            for (DurabilityMode mode : DurabilityMode.values()) {
                if (!modes.contains(mode.name())) {
                    continue;
                }
                for (int size : new int[] {64, 1024}) {
                    // interleaved rounds, so that the disk's drifting latency hits the raw loop and the store alike
                    Result raw = Result.NONE;
                    Result sync = Result.NONE;
                    Result piped = Result.NONE;
                    final double slice = seconds / ROUNDS;
                    for (int round = 0; round < ROUNDS; round++) {
                        raw = raw.plus(repeat(slice, left -> raw(root, size, mode, left)));
                        sync = sync.plus(repeat(slice, left -> store(root, size, mode, left, 1)));
                        piped = piped.plus(repeat(slice, left -> store(root, size, mode, left, PIPELINE)));
                    }
                    print(size, mode, "raw write" + (mode == DurabilityMode.FSYNC ? "+force" : "") + " loop", raw, raw, -1);
                    print(size, mode, "FileLogStore, 1 batch in flight", sync, raw, sync.allocatedPerEntry);
                    print(size, mode, "FileLogStore, " + PIPELINE + " in flight", piped, raw, piped.allocatedPerEntry);
                }
            }
            recovery(root, recoveryMiB);
        } finally {
            deleteTree(root);
        }
    }

    /** One measurement on a fresh file or store, limited by time and by what fits in one segment. */
    @FunctionalInterface
    private interface Measurement {
        Result run(double secondsLeft) throws IOException;
    }

    /** Repeats a measurement on fresh files (at most 4 times) until {@code seconds} of measured time add up. */
    private static Result repeat(double seconds, Measurement measurement) throws IOException {
        long entries = 0;
        double elapsed = 0;
        double allocated = 0;
        int size = 0;
        for (int i = 0; i < 4 && elapsed < seconds * 0.95; i++) {
            final Result r = measurement.run(seconds - elapsed);
            entries += r.entries;
            elapsed += r.seconds;
            allocated += r.allocatedPerEntry * r.entries;
            size = r.entrySize;
        }
        return new Result(entries, elapsed, size, entries == 0 ? 0 : allocated / entries);
    }

    private record Result(long entries, double seconds, int entrySize, double allocatedPerEntry) {
        static final Result NONE = new Result(0, 0, 0, 0);

        Result plus(Result other) {
            final long n = entries + other.entries;
            return new Result(n, seconds + other.seconds, other.entrySize,
                n == 0 ? 0 : (allocatedPerEntry * entries + other.allocatedPerEntry * other.entries) / n);
        }

        double entriesPerSecond() {
            return entries / seconds;
        }

        double mibPerSecond() {
            return entries * (double) entrySize / MIB / seconds;
        }
    }

    private static void print(int size, DurabilityMode mode, String writer, Result r, Result raw, double alloc) {
        System.out.printf(Locale.ROOT, "%-7s %-8s %-26s %12.0f %9.1f %7.0f%% %10s%n", size + " B", mode, writer,
            r.entriesPerSecond(), r.mibPerSecond(), 100 * r.entriesPerSecond() / raw.entriesPerSecond(),
            alloc < 0 ? "-" : String.format(Locale.ROOT, "%.2f", alloc));
    }

    /** The byte budget of one measurement: what fits in one segment, so that no roll is measured. */
    private static long budgetEntries(int size) {
        return (SEGMENT - 2L * MIB) / (SegmentFormat.RECORD_HEADER_BYTES + size);
    }

    private static Result raw(Path root, int size, DurabilityMode mode, double seconds) throws IOException {
        final Path file = root.resolve("raw-" + size + "-" + mode);
        final int batchBytes = BATCH * (SegmentFormat.RECORD_HEADER_BYTES + size);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(batchBytes);
        for (int i = 0; i < batchBytes; i++) {
            buffer.put(i, (byte) i);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            StorageDirectory.writeZeros(ch, 0, SEGMENT, StorageDirectory.zeroBuffer());
            ch.force(true);
            final long budget = budgetEntries(size);
            long position = SegmentFormat.SEGMENT_HEADER_BYTES;
            long entries = 0;
            final long start = System.nanoTime();
            final long deadline = start + (long) (seconds * 1e9);
            while (System.nanoTime() < deadline && entries + BATCH <= budget) {
                buffer.clear();
                StorageDirectory.writeFully(ch, buffer, position);
                if (mode == DurabilityMode.FSYNC) {
                    ch.force(false);
                }
                position += batchBytes;
                entries += BATCH;
            }
            final double elapsed = (System.nanoTime() - start) / 1e9;
            return new Result(entries, elapsed, size, 0);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static Result store(Path root, int size, DurabilityMode mode, double seconds, int inFlight) throws IOException {
        final Path dir = root.resolve("store-" + size + "-" + mode + "-" + inFlight);
        final FileStorageConfig config = FileStorageConfig.builder().segmentSizeBytes(SEGMENT).durabilityMode(mode).build();
        final AtomicLong flushed = new AtomicLong();
        final FlushCallback callback = flushed::set;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        for (int i = 0; i < size; i++) {
            payload.putByte(i, (byte) (i * 7));
        }
        final EntryBatch batch = new EntryBatch(BATCH * size);
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (FileLogStore log = FileLogStore.open(dir, config)) {
            log.awaitPreallocation();
            final long budget = budgetEntries(size);
            long next = 1;
            // warm-up: a tenth of the budget, then wait for the flusher
            next = appendUntil(log, batch, payload, callback, flushed, next, budget / 10, System.nanoTime() + (long) 1e9, inFlight);
            awaitFlushed(flushed, next - 1);
            final Thread flusher = mode == DurabilityMode.FSYNC ? thread("raft-log-flusher") : Thread.currentThread();
            final long writerBefore = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            final long flusherBefore = threads.getThreadAllocatedBytes(flusher.getId());
            final long first = next;
            final long start = System.nanoTime();
            next = appendUntil(log, batch, payload, callback, flushed, next, budget, start + (long) (seconds * 1e9), inFlight);
            awaitFlushed(flushed, next - 1);
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final long writerAllocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - writerBefore;
            final long flusherAllocated = flusher == Thread.currentThread() ? 0
                : threads.getThreadAllocatedBytes(flusher.getId()) - flusherBefore;
            final long allocated = writerAllocated + flusherAllocated;
            if (Boolean.getBoolean("bench.verbose")) {
                System.out.printf(Locale.ROOT, "  allocated: writer %d B, flusher %d B, %d entries%n", writerAllocated,
                    flusherAllocated, next - first);
            }
            return new Result(next - first, elapsed, size, allocated / (double) (next - first));
        } finally {
            deleteTree(dir);
        }
    }

    private static long appendUntil(FileLogStore log, EntryBatch batch, UnsafeBuffer payload, FlushCallback callback,
                                    AtomicLong flushed, long next, long lastIndex, long deadline, int inFlight) {
        long index = next;
        final int size = payload.capacity();
        while (index + BATCH - 1 <= lastIndex && System.nanoTime() < deadline) {
            while (index - 1 - flushed.get() >= (long) inFlight * BATCH) {
                Thread.yield();
            }
            batch.clear();
            for (int i = 0; i < BATCH; i++) {
                batch.add(1, index + i, EntryType.NORMAL, payload, 0, size);
            }
            log.append(batch, callback);
            index += BATCH;
        }
        return index;
    }

    private static void awaitFlushed(AtomicLong flushed, long index) {
        while (flushed.get() < index) {
            Thread.yield();
        }
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(name) && t.isAlive()).findFirst()
            .orElseThrow(() -> new IllegalStateException("no thread " + name));
    }

    private static void recovery(Path root, int mib) throws IOException {
        final Path dir = root.resolve("recovery");
        final int size = 1024;
        final long entries = mib * MIB / (SegmentFormat.RECORD_HEADER_BYTES + size);
        final FileStorageConfig config = FileStorageConfig.builder().segmentSizeBytes(SEGMENT)
            .durabilityMode(DurabilityMode.NO_FSYNC).build();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[size]);
        final EntryBatch batch = new EntryBatch(BATCH * size);
        final AtomicLong flushed = new AtomicLong();
        final long writeStart = System.nanoTime();
        try (FileLogStore log = FileLogStore.open(dir, config)) {
            final long next = appendUntil(log, batch, payload, flushed::set, flushed, 1, entries, Long.MAX_VALUE, 64);
            awaitFlushed(flushed, next - 1);
        }
        final double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        final long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.filter(p -> SegmentFormat.parseFirstIndex(p) >= 0).mapToLong(p -> p.toFile().length()).sum();
        }
        final long start = System.nanoTime();
        final long last;
        try (FileLogStore log = FileLogStore.open(dir, config)) {
            last = log.lastLogId().index();
        }
        final double openSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "recovery: %d entries of %d B, %d MiB of segments (written in %.1f s): open took %.0f ms "
            + "(%.0f MiB/s, files in the page cache)%n", last, size, bytes / MIB, writeSeconds, openSeconds * 1000,
            bytes / (double) MIB / openSeconds);
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
