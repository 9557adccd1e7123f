package dev.raft.core.internal.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The engine's run-length view of its log's terms. */
class LogTermsTest {
    /** Terms 1,1,1,4,4,5,5,6,6,6 at indexes 1..10. */
    private static LogTerms figure7() {
        final LogTerms t = new LogTerms();
        t.reset(0, 0);
        final long[] terms = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
        for (int i = 0; i < terms.length; i++) {
            t.append(terms[i], i + 1);
        }
        return t;
    }

    @Test
    void answersTermsAndTermBoundaries() {
        final LogTerms t = figure7();
        assertEquals(0, t.termAt(0));
        assertEquals(4, t.termAt(5));
        assertEquals(6, t.lastTerm());
        assertEquals(4, t.firstIndexOfTermAt(5));
        assertEquals(7, t.lastIndexOfTerm(5));
        assertEquals(10, t.lastIndexOfTerm(6));
        assertEquals(-1, t.lastIndexOfTerm(2));
        assertThrows(IllegalArgumentException.class, () -> t.termAt(11));
        assertThrows(IllegalArgumentException.class, () -> t.append(3, 11), "terms never decrease");
        assertThrows(IllegalArgumentException.class, () -> t.append(7, 12), "indexes are consecutive");
    }

    @Test
    void truncateAndAppendRuns() {
        final LogTerms t = figure7();
        t.truncateFrom(6);
        assertEquals(5, t.lastIndex());
        assertEquals(-1, t.lastIndexOfTerm(5));
        t.appendRun(7, 6, 9);
        assertEquals(7, t.termAt(9));
        assertEquals(6, t.firstIndexOfTermAt(8));
    }

    @Test
    void purgeKeepsTheTermsAfterThePurgePoint() {
        final LogTerms t = figure7();
        t.purgeUpTo(5, 4); // ends the run of term 4
        assertEquals(4, t.termAt(5));
        assertEquals(5, t.termAt(6));
        assertEquals(6, t.firstIndexOfTermAt(6));
        assertThrows(IllegalArgumentException.class, () -> t.termAt(4));
        t.purgeUpTo(8, 6); // inside the run of term 6
        assertEquals(6, t.termAt(9));
        assertEquals(9, t.firstIndexOfTermAt(9));
        assertEquals(10, t.lastIndexOfTerm(6));
        t.purgeUpTo(20, 9); // beyond the end, as after installing a snapshot
        assertEquals(20, t.lastIndex());
        assertEquals(9, t.lastTerm());
        assertEquals(20, t.lastIndexOfTerm(9));
    }
}
