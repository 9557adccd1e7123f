package dev.raft.storage.file.internal.log;

import dev.raft.api.EntryBatch;
import dev.raft.api.EntryType;
import dev.raft.api.storage.FlushCallback;
import dev.raft.storage.file.FileStorageConfig;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child JVM of {@link KillTest}: appends forever to the log in {@code args[0]} with term
 * {@code args[1]}, printing {@code ACK <index>} for every flush report, until it is killed.
 */
public final class KillChild {
    private KillChild() {
    }

    /** Entry point: {@code <dir> <term> <seed>}. */
    public static void main(String[] args) throws Exception {
        final Path dir = Path.of(args[0]);
        final long term = Long.parseLong(args[1]);
        final Random random = new Random(Long.parseLong(args[2]));
        final FileStorageConfig config = FileStorageConfig.builder().segmentSizeBytes(64 * 1024)
            .writeBufferBytes(16 * 1024).build();
        final FileLogStore log = FileLogStore.open(dir, config);
        final AtomicLong acked = new AtomicLong();
        final FlushCallback callback = acked::set;
        long next = log.lastLogId().index() + 1;
        System.out.println("READY " + (next - 1));
        System.out.flush();
        final EntryBatch batch = new EntryBatch();
        long printed = 0;
        while (true) {
            batch.clear();
            final int n = 1 + random.nextInt(20);
            for (int i = 0; i < n; i++) {
                batch.add(term, next + i, EntryType.NORMAL, Payloads.of(next + i));
            }
            log.append(batch, callback);
            next += n;
            final long a = acked.get();
            if (a > printed) {
                System.out.println("ACK " + a);
                System.out.flush();
                printed = a;
            }
            if (next - a > 2000) {
                Thread.sleep(1);
            }
        }
    }
}
