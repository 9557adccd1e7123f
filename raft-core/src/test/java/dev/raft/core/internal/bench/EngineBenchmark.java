package dev.raft.core.internal.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine alone: three {@code RaftEngine}s wired in one thread, no IO ({@link EngineCluster}). One
 * operation is one entry proposed on the leader, replicated to both followers, acknowledged and
 * committed; a benchmark invocation proposes {@link #BATCH} entries at once (as the runtime does with the
 * proposals it drains per duty cycle) and pumps until they are committed. The score is entries committed
 * per second; {@code -prof gc} reports the bytes allocated per entry ({@code gc.alloc.rate.norm}).
 *
 * <p>Run (from the repository root, one command; builds raft-core and its test classes first; JMH
 * arguments can be replaced with {@code -Dbench.args="..."}):
 * <pre>
 * mvn -o -q -B verify -pl raft-core -am -Pbench -DskipTests
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx1g"})
public class EngineBenchmark {
    /** Entries proposed per invocation. */
    public static final int BATCH = 64;

    /** Payload bytes per entry. */
    @Param({"64"})
    public int payloadBytes;

    private EngineCluster cluster;

    /** Three engines, node 1 elected. */
    @Setup(Level.Trial)
    public void setUp() {
        cluster = new EngineCluster(payloadBytes, 1024).electNodeOne();
    }

    /** Proposes {@link #BATCH} entries and runs the three engines until the leader commits them. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long commitBatch() {
        cluster.proposeAndCommit(BATCH);
        return cluster.leader().state().commitIndex();
    }
}
