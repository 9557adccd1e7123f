package dev.raft.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bytes allocated and CPU time used by each thread of this JVM between two snapshots (HotSpot's per-thread
 * counters): the "0 B allocated per message on every node", and where the CPU goes, read without a
 * profiler. CPU time per message is also the figure to compare on a machine that is not quiet (throughput then
 * measures the neighbours). Threads that started between the snapshots count from zero.
 */
final class ThreadAllocations {
    private final com.sun.management.ThreadMXBean threads;
    private final Map<Long, Long> before = new HashMap<>();
    private final Map<Long, Long> cpuBefore = new HashMap<>();
    private final long processCpuBefore;

    /** One thread's share: bytes allocated and CPU nanoseconds used. */
    record Share(String thread, long bytes, long cpuNanos) {
    }

    private ThreadAllocations(com.sun.management.ThreadMXBean threads) {
        this.threads = threads;
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final long[] cpu = threads.getThreadCpuTime(ids);
        for (int i = 0; i < ids.length; i++) {
            before.put(ids[i], bytes[i]);
            cpuBefore.put(ids[i], cpu[i]);
        }
        processCpuBefore = processCpuNanos();
    }

    /** The CPU time this process used (user and system), or -1 if unknown. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
            ? os.getProcessCpuTime() : -1;
    }

    /** The CPU nanoseconds this process used since the snapshot (user and system), or -1 if unknown. */
    long processCpuSince() {
        final long now = processCpuNanos();
        return now < 0 || processCpuBefore < 0 ? -1 : now - processCpuBefore;
    }

    /** A snapshot now, or null if the JVM does not count allocation per thread. */
    static ThreadAllocations start() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled() ? new ThreadAllocations(t) : null;
    }

    /** The threads that allocated or ran since the snapshot, most CPU first. */
    List<Share> since() {
        final long[] ids = threads.getAllThreadIds();
        final long[] bytes = threads.getThreadAllocatedBytes(ids);
        final long[] cpu = threads.getThreadCpuTime(ids);
        final ThreadInfo[] infos = threads.getThreadInfo(ids);
        final List<Share> shares = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            final long delta = bytes[i] < 0 ? 0 : bytes[i] - before.getOrDefault(ids[i], 0L);
            final long cpuDelta = cpu[i] < 0 ? 0 : cpu[i] - cpuBefore.getOrDefault(ids[i], 0L);
            if (infos[i] != null && (delta > 0 || cpuDelta > 0)) {
                shares.add(new Share(infos[i].getThreadName(), Math.max(0, delta), Math.max(0, cpuDelta)));
            }
        }
        shares.sort(Comparator.comparingLong(Share::cpuNanos).reversed());
        return shares;
    }
}
