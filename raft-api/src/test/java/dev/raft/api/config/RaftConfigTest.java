package dev.raft.api.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.raft.api.Membership;
import dev.raft.api.error.InvalidConfigException;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RaftConfigTest {
    private static RaftConfig.Builder valid() {
        return RaftConfig.builder().nodeId(1).initialMembership(Membership.of(1, 2, 3));
    }

    @Test
    void defaultsAreValidAndDocumented() {
        final RaftConfig config = valid().build();
        assertEquals(150, config.electionTimeoutMinMillis());
        assertEquals(300, config.electionTimeoutMaxMillis());
        assertEquals(50, config.heartbeatIntervalMillis());
        assertTrue(config.preVote());
        assertTrue(config.checkQuorum());
        assertEquals(30, config.clockDriftBoundMillis(), "a fifth of the minimum election timeout");
        assertEquals(1024 * 1024, config.snapshotChunkBytes());
        assertEquals(IdleMode.BACKOFF, config.idleMode());
        assertEquals(config.toString(), config.toBuilder().build().toString(), "toBuilder keeps every value");
    }

    static Stream<Arguments> invalidFields() {
        return Stream.of(
            Arguments.of("RaftConfig.nodeId", (UnaryOperator<RaftConfig.Builder>) b -> b.nodeId(0)),
            Arguments.of("RaftConfig.initialMembership", (UnaryOperator<RaftConfig.Builder>) b -> b.initialMembership(null)),
            Arguments.of("RaftConfig.electionTimeoutMinMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.electionTimeoutMillis(0, 10)),
            Arguments.of("RaftConfig.electionTimeoutMaxMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.electionTimeoutMillis(200, 200)),
            Arguments.of("RaftConfig.electionTimeoutMaxMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.electionTimeoutMillis(200, 100)),
            Arguments.of("RaftConfig.heartbeatIntervalMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.heartbeatIntervalMillis(150)),
            Arguments.of("RaftConfig.heartbeatIntervalMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.heartbeatIntervalMillis(0)),
            Arguments.of("RaftConfig.clockDriftBoundMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.clockDriftBoundMillis(150)),
            Arguments.of("RaftConfig.clockDriftBoundMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.clockDriftBoundMillis(-2)),
            Arguments.of("RaftConfig.maxEntriesPerAppend", (UnaryOperator<RaftConfig.Builder>) b -> b.maxEntriesPerAppend(0)),
            Arguments.of("RaftConfig.maxBytesPerAppend", (UnaryOperator<RaftConfig.Builder>) b -> b.maxBytesPerAppend(-1)),
            Arguments.of("RaftConfig.maxBytesPerAppend", (UnaryOperator<RaftConfig.Builder>) b -> b.maxBytesPerAppend(RaftConfig.MAX_BYTES_PER_APPEND + 1)),
            Arguments.of("RaftConfig.maxEntriesPerAppend", (UnaryOperator<RaftConfig.Builder>) b -> b.maxEntriesPerAppend(RaftConfig.MAX_ENTRIES_PER_APPEND + 1)),
            Arguments.of("RaftConfig.maxInflightAppends", (UnaryOperator<RaftConfig.Builder>) b -> b.maxInflightAppends(0)),
            Arguments.of("RaftConfig.snapshotChunkBytes", (UnaryOperator<RaftConfig.Builder>) b -> b.snapshotChunkBytes(0)),
            Arguments.of("RaftConfig.snapshotChunkBytes", (UnaryOperator<RaftConfig.Builder>) b -> b.snapshotChunkBytes(RaftConfig.MAX_SNAPSHOT_CHUNK_BYTES + 1)),
            Arguments.of("RaftConfig.maxInflightSnapshotChunks", (UnaryOperator<RaftConfig.Builder>) b -> b.maxInflightSnapshotChunks(0)),
            Arguments.of("RaftConfig.snapshotTransferTimeoutMillis", (UnaryOperator<RaftConfig.Builder>) b -> b.snapshotTransferTimeoutMillis(0)),
            Arguments.of("RaftConfig.snapshotEveryAppliedEntries", (UnaryOperator<RaftConfig.Builder>) b -> b.snapshotEveryAppliedEntries(-1)),
            Arguments.of("RaftConfig.maxAppliedLogToKeep", (UnaryOperator<RaftConfig.Builder>) b -> b.maxAppliedLogToKeep(-5)),
            Arguments.of("RaftConfig.proposalQueueCapacity", (UnaryOperator<RaftConfig.Builder>) b -> b.proposalQueueCapacity(1)),
            Arguments.of("RaftConfig.idleMode", (UnaryOperator<RaftConfig.Builder>) b -> b.idleMode(null)),
            Arguments.of("RaftConfig.maxParkMicros", (UnaryOperator<RaftConfig.Builder>) b -> b.maxParkMicros(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidFields")
    void eachInvalidFieldIsRejectedByName(String field, UnaryOperator<RaftConfig.Builder> breakIt) {
        final InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> breakIt.apply(valid()).build());
        assertEquals(field, e.field());
        assertTrue(e.getMessage().startsWith(field + " = "), e.getMessage());
        assertTrue(e.getMessage().contains("allowed: "), e.getMessage());
    }

    @Test
    void rangeNamesTheDependentField() {
        final InvalidConfigException e = assertThrows(InvalidConfigException.class,
            () -> valid().electionTimeoutMillis(100, 200).heartbeatIntervalMillis(100).build());
        assertEquals("RaftConfig.heartbeatIntervalMillis = 100 is invalid; allowed: 1..electionTimeoutMinMillis-1 (= 99)",
            e.getMessage());
    }

    @Test
    void requireInRangeNamesFieldValueAndRange() {
        assertEquals(5, InvalidConfigException.requireInRange("X.f", 5, 1, 9));
        final InvalidConfigException e = assertThrows(InvalidConfigException.class,
            () -> InvalidConfigException.requireInRange("X.f", 10, 1, 9));
        assertEquals("X.f = 10 is invalid; allowed: 1..9", e.getMessage());
        assertEquals("X.f", e.field());
    }
}
