package dev.raft.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes allocated by each thread of this JVM between two snapshots (HotSpot's per-thread allocation counters):
 * the "0 B allocated per message on every node", read without a profiler. Threads that started between the
 * snapshots count from zero.
 */
final class ThreadAllocations {
    private final com.sun.management.ThreadMXBean threads;
    private final Map<Long, Long> before = new HashMap<>();

    /** One thread's share. */
    record Share(String thread, long bytes) {
    }

    private ThreadAllocations(com.sun.management.ThreadMXBean threads) {
        this.threads = threads;
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            before.put(ids[i], bytes[i]);
        }
    }

    /** A snapshot now, or null if the JVM does not count allocation per thread. */
    static ThreadAllocations start() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled() ? new ThreadAllocations(t) : null;
    }

    /** The threads that allocated since the snapshot, most first. */
    List<Share> since() {
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final ThreadInfo[] infos = threads.getThreadInfo(ids);
        final List<Share> shares = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            final long delta = bytes[i] - before.getOrDefault(ids[i], 0L);
            if (infos[i] != null && bytes[i] >= 0 && delta > 0) {
                shares.add(new Share(infos[i].getThreadName(), delta));
            }
        }
        shares.sort(Comparator.comparingLong(Share::bytes).reversed());
        return shares;
    }
}
