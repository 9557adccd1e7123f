package dev.raft.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LogIdTest {
    @Test
    void ordersByTermThenIndex() {
        assertTrue(LogId.of(2, 1).isNewerThan(LogId.of(1, 100)), "a higher term wins over a longer log");
        assertTrue(LogId.of(2, 5).isNewerThan(LogId.of(2, 4)), "same term: the longer log wins");
        assertEquals(0, LogId.of(3, 7).compareTo(new LogId(3, 7)));
        assertTrue(LogId.of(1, 1).isNewerThan(LogId.NONE), "every entry is newer than the empty log");
        final List<LogId> ids = new ArrayList<>(List.of(LogId.of(2, 3), LogId.NONE, LogId.of(1, 9), LogId.of(2, 1)));
        Collections.sort(ids);
        assertEquals(List.of(LogId.NONE, LogId.of(1, 9), LogId.of(2, 1), LogId.of(2, 3)), ids);
    }

    @Test
    void primitiveCompareAgreesWithCompareTo() {
        for (long t1 = 0; t1 < 4; t1++) {
            for (long i1 = 0; i1 < 4; i1++) {
                for (long t2 = 0; t2 < 4; t2++) {
                    for (long i2 = 0; i2 < 4; i2++) {
                        if ((t1 == 0) != (i1 == 0) || (t2 == 0) != (i2 == 0)) {
                            continue;
                        }
                        assertEquals(Integer.signum(LogId.of(t1, i1).compareTo(LogId.of(t2, i2))),
                            Integer.signum(LogId.compare(t1, i1, t2, i2)));
                    }
                }
            }
        }
    }

    @Test
    void noneIsTheEmptyLog() {
        assertSame(LogId.NONE, LogId.of(0, 0));
        assertTrue(LogId.NONE.isNone());
        assertFalse(LogId.of(1, 1).isNone());
        assertEquals("3-7", LogId.of(3, 7).toString());
    }

    @Test
    void rejectsNegativeAndHalfEmptyIds() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogId(-1, 1)).getMessage().contains("term=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogId(1, -1)).getMessage().contains("index=-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new LogId(0, 5)).getMessage().contains("term 0"));
        assertThrows(IllegalArgumentException.class, () -> new LogId(5, 0));
    }
}
