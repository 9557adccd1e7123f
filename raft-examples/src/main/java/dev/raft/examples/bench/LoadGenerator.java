package dev.raft.examples.bench;

import java.io.PrintWriter;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

/**
 * The benchmark's load: one thread that sends numbered messages through a {@link RequestChannel} and takes in
 * their answers, pipelined. Throughput mode keeps at most {@code window} messages outstanding (closed loop);
 * latency mode sends message k at {@code start + k / rate} whatever the answers do (open loop), so a stall is
 * charged to every message due during it. Each message's latency runs from its stamp (send time, or scheduled
 * time in latency mode) to its echo, into an HdrHistogram (ns, 3 digits).
 *
 * <p>Refused messages (NOT_LEADER, a failed proposal) are sent again to the leader named in the refusal; when
 * nothing has been echoed for {@value #RESEND_AFTER_MILLIS} ms (a node that is gone, or one that fails every
 * command), every unanswered message is sent again to the next node. A run in which no message is answered for 30 s fails. Every message counts once: later answers to it are duplicates. A rise of the term seen in the
 * answers during the measured phase is a leader change. Nothing is allocated per message.
 */
final class LoadGenerator implements RequestChannel.AnswerListener {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int RING = 1 << 20;
    private static final int MASK = RING - 1;
    private static final long RESEND_AFTER_MILLIS = 2000;
    private static final long NO_LEADER_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FAILED_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final BenchOptions options;
    private final RequestChannel channel;
    private final PrintWriter out;
    private final long deadlineNanos;
    private final long noProgressNanos;
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
        TimeUnit.MICROSECONDS.toNanos(100));
    private final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
    /** Where the measured phase running now records its latencies. */
    private Histogram recordInto = histogram;
    private final long[] stamps = new long[RING];
    private final long[] resends = new long[RING];
    private final long[] answered;
    private final StringBuilder progress = new StringBuilder(160);
    /** The longest send-to-echo time answered since the last progress line. */
    private long intervalMaxNanos;
    private final long total;

    private long resendHead;
    private long resendTail;
    private long pauseUntil;
    private long phaseStart;
    private long phaseEnd;
    private long nextSeq;
    private long lowestUnanswered;
    private long answeredInPhase;
    private long lastEchoNanos;
    private long lastRescanNanos;
    private boolean recording;
    private String rejection;
    private long term;
    private final Counters counters = new Counters();

    /** What happened in one phase, and in the whole run so far. */
    static final class Counters {
        long sent;
        long answered;
        long duplicates;
        long notLeader;
        long failed;
        long malformed;
        long resent;
        long backPressure;
        long leaderChanges;
    }

    /**
     * One phase's outcome.
     *
     * @param allocatedBytes bytes the load thread allocated during the phase (progress lines included), -1 if the
     *                       JVM does not tell
     */
    record Phase(long messages, long durationNanos, long backPressure, long leaderChanges, long allocatedBytes) {
        double msgsPerSecond() {
            return durationNanos > 0 ? messages * 1e9 / durationNanos : Double.NaN;
        }
    }

    /**
     * @param initialTerm the leader's term when the run starts (a higher one in an answer is a leader change)
     */
    LoadGenerator(BenchOptions options, RequestChannel channel, PrintWriter out, long initialTerm) {
        this(options, channel, out, initialTerm, TimeUnit.SECONDS.toNanos(30));
    }

    /** As above; the run fails when no message has been answered for {@code noProgressNanos}. */
    LoadGenerator(BenchOptions options, RequestChannel channel, PrintWriter out, long initialTerm, long noProgressNanos) {
        this.noProgressNanos = noProgressNanos;
        this.options = options;
        this.channel = channel;
        this.out = out;
        this.term = initialTerm;
        // every phase of the run: the warm-up and the measured writes, and a warm-up and a measured phase per read kind
        this.total = (options.warmup() + options.messages()) * (1 + options.reads().size());
        this.answered = new long[(int) ((total + 63) >>> 6)];
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
    }

    /** Latencies of the measured phase, ns. */
    Histogram histogram() {
        return histogram;
    }

    /** Counts over the whole run. */
    Counters counters() {
        return counters;
    }

    /** Sends the warm-up messages and waits for all their answers; nothing is recorded. */
    Phase warmUp() {
        return options.warmup() == 0 ? new Phase(0, 0, 0, 0, 0) : run("warm-up", options.warmup(), false);
    }

    /** A further warm-up of as many messages as the first, {@code name}d (before a read phase: its path is cold). */
    Phase warmUp(String name) {
        return options.warmup() == 0 ? new Phase(0, 0, 0, 0, 0) : run(name, options.warmup(), false);
    }

    /** Sends the measured messages and waits for all their answers. */
    Phase measure() {
        recordInto = histogram;
        return run("measured", options.messages(), true);
    }

    /** A further measured phase of as many messages, {@code name}d, recording its latencies into {@code into}. */
    Phase measure(String name, Histogram into) {
        recordInto = into;
        try {
            return run(name, options.messages(), true);
        } finally {
            recordInto = histogram;
        }
    }

    /** A fresh latency histogram like the measured phase's. */
    static Histogram newHistogram() {
        return new Histogram(HIGHEST_NANOS, 3);
    }

    private Phase run(String name, long count, boolean record) {
        phaseStart = nextSeq;
        phaseEnd = nextSeq + count;
        answeredInPhase = 0;
        recording = record;
        final long backPressureBefore = counters.backPressure;
        final long leaderChangesBefore = counters.leaderChanges;
        final long allocatedBefore = allocatedBytes();
        final boolean throughput = options.mode() == BenchOptions.Mode.THROUGHPUT;
        final double intervalNanos = 1e9 / options.rate();
        final long start = System.nanoTime() + (throughput ? 0 : TimeUnit.MILLISECONDS.toNanos(1));
        final long second = TimeUnit.SECONDS.toNanos(1);
        long nextProgress = start + second;
        long answeredAtLastProgress = 0;
        lastEchoNanos = start;
        lastRescanNanos = start;
        idle.reset();
        while (answeredInPhase < count) {
            int work = 0;
            long now = System.nanoTime();
            if (now - pauseUntil >= 0) {
                work += sendResends();
                if (resendHead == resendTail) {
                    work += throughput ? sendWindow() : sendDue(start, intervalNanos, now);
                }
            }
            work += channel.poll(this);
            if (rejection != null) {
                throw new IllegalStateException(rejection);
            }
            now = System.nanoTime();
            if (work > 0) {
                idle.reset();
            } else {
                checkStalled(now);
                idle.idle();
            }
            if (now - nextProgress >= 0) {
                final long done = answeredInPhase;
                // built without a Formatter: a progress line costs one String
                progress.setLength(0);
                progress.append(name).append(": ").append((now - start) / second).append(" s sent ").append(nextSeq - phaseStart)
                    .append(" answered ").append(done).append(" (").append(done - answeredAtLastProgress)
                    .append("/s) outstanding ").append(nextSeq - phaseStart - done).append(" max ")
                    .append(intervalMaxNanos / 1000).append(" us target node ")
                    .append(channel.target()).append(System.lineSeparator());
                out.append(progress).flush();
                intervalMaxNanos = 0;
                answeredAtLastProgress = done;
                nextProgress += second;
            }
        }
        recording = false;
        final long allocatedAfter = allocatedBytes();
        return new Phase(count, lastEchoNanos - start, counters.backPressure - backPressureBefore,
            counters.leaderChanges - leaderChangesBefore, allocatedBefore < 0 || allocatedAfter < 0 ? -1
                : allocatedAfter - allocatedBefore);
    }

    private int sendResends() {
        int sent = 0;
        while (resendHead != resendTail) {
            final long seq = resends[(int) (resendHead & MASK)];
            if (!isAnswered(seq)) {
                if (!channel.send(seq, stamps[(int) (seq & MASK)])) {
                    counters.backPressure++;
                    break;
                }
                counters.resent++;
                sent++;
            }
            resendHead++;
        }
        return sent;
    }

    private int sendWindow() {
        int sent = 0;
        final int window = options.window();
        while (nextSeq < phaseEnd && nextSeq - phaseStart - answeredInPhase < window && nextSeq - lowestUnanswered < RING) {
            if (!trySend(System.nanoTime())) {
                break;
            }
            sent++;
        }
        return sent;
    }

    private int sendDue(long start, double intervalNanos, long now) {
        int sent = 0;
        while (nextSeq < phaseEnd) {
            final long due = start + (long) ((nextSeq - phaseStart) * intervalNanos);
            if (due - now > 0) {
                break;
            }
            if (nextSeq - lowestUnanswered >= RING) {
                counters.backPressure++;
                break;
            }
            if (!trySend(due)) {
                break;
            }
            sent++;
        }
        return sent;
    }

    /** Sends message {@code nextSeq} stamped {@code stamp}; false (counted) when the channel refuses it. */
    private boolean trySend(long stamp) {
        stamps[(int) (nextSeq & MASK)] = stamp;
        if (!channel.send(nextSeq, stamp)) {
            counters.backPressure++;
            return false;
        }
        nextSeq++;
        counters.sent++;
        return true;
    }

    private void checkStalled(long now) {
        if (now - deadlineNanos > 0) {
            throw new IllegalStateException("timeout after " + options.timeoutSeconds() + " s: sent "
                + (nextSeq - phaseStart) + ", answered " + answeredInPhase + " of this phase");
        }
        if (now - lastEchoNanos > noProgressNanos) {
            // refusals do not count as progress: a cluster that refuses every message fails the run here
            throw new IllegalStateException("no message answered for " + noProgressNanos / 1_000_000 + " ms: sent " + (nextSeq - phaseStart) + ", answered "
                + answeredInPhase + " of this phase; refused: not-leader " + counters.notLeader + ", failed "
                + counters.failed + "; last target node " + channel.target());
        }
        if (lowestUnanswered < nextSeq && now - lastEchoNanos > TimeUnit.MILLISECONDS.toNanos(RESEND_AFTER_MILLIS)
            && now - lastRescanNanos > TimeUnit.MILLISECONDS.toNanos(RESEND_AFTER_MILLIS)) {
            // the target may be gone: try the next node with everything unanswered
            lastRescanNanos = now;
            channel.retarget(0);
            for (long seq = lowestUnanswered; seq < nextSeq && resendTail - resendHead < RING; seq++) {
                if (!isAnswered(seq)) {
                    resends[(int) (resendTail++ & MASK)] = seq;
                }
            }
        }
    }

    @Override
    public void onEcho(long seq, long stampNanos, long answerTerm) {
        if (seq < 0 || seq >= nextSeq) {
            counters.malformed++;
            return;
        }
        if (isAnswered(seq)) {
            counters.duplicates++;
            return;
        }
        if (stamps[(int) (seq & MASK)] != stampNanos) {
            counters.malformed++; // an unanswered message is at most RING behind the next, so its stamp is still held
            return;
        }
        noteTerm(answerTerm);
        answered[(int) (seq >>> 6)] |= 1L << seq;
        counters.answered++;
        answeredInPhase++;
        while (lowestUnanswered < nextSeq && isAnswered(lowestUnanswered)) {
            lowestUnanswered++;
        }
        final long now = System.nanoTime();
        lastEchoNanos = now;
        final long latency = Math.min(Math.max(now - stampNanos, 0), HIGHEST_NANOS);
        if (latency > intervalMaxNanos) {
            intervalMaxNanos = latency;
        }
        if (recording) {
            recordInto.recordValue(latency);
        }
    }

    @Override
    public void onRefused(long seq, boolean notLeader, int leaderHint, long answerTerm) {
        if (seq < 0 || seq >= nextSeq) {
            counters.malformed++;
            return;
        }
        noteTerm(answerTerm);
        final long now = System.nanoTime();
        if (isAnswered(seq)) {
            return;
        }
        if (notLeader) {
            counters.notLeader++;
            if (leaderHint == 0) {
                if (now - pauseUntil >= 0) {
                    // an election is running: give it a moment, then ask the next node (once for a burst of refusals)
                    pauseUntil = now + NO_LEADER_PAUSE_NANOS;
                    channel.retarget(0);
                }
            } else if (leaderHint != channel.target()) {
                channel.retarget(leaderHint);
            }
        } else {
            counters.failed++;
            pauseUntil = now + FAILED_PAUSE_NANOS;
        }
        if (resendTail - resendHead < RING) {
            resends[(int) (resendTail++ & MASK)] = seq;
        }
    }

    @Override
    public void onRejected(long seq, String reason) {
        if (rejection == null) {
            rejection = "the cluster rejected message " + seq + ": " + reason;
        }
    }

    @Override
    public void onMalformed() {
        counters.malformed++;
    }

    private void noteTerm(long answerTerm) {
        if (answerTerm > term) {
            term = answerTerm;
            if (recording) {
                counters.leaderChanges++;
            }
        }
    }

    private static long allocatedBytes() {
        return java.lang.management.ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
            && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()
            ? t.getThreadAllocatedBytes(Thread.currentThread().getId()) : -1;
    }

    private boolean isAnswered(long seq) {
        return (answered[(int) (seq >>> 6)] & (1L << seq)) != 0;
    }

    /** Messages of the run not answered (0 once both phases returned). */
    long unanswered() {
        return nextSeq - counters.answered;
    }

    /** Messages sent so far, each counted once. */
    long sent() {
        return nextSeq;
    }
}
