package dev.raft.testkit.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** Each deliberately broken store fails the suite, with a message naming the contract it breaks. */
class BrokenStoresFailTheSuiteTest {
    private static TestExecutionSummary runSuite(BrokenStores.Defect defect) {
        BrokenStoreSuite.defect = defect;
        final Launcher launcher = LauncherFactory.create();
        final SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(BrokenStoreSuite.class)).build(),
            listener);
        return listener.getSummary();
    }

    @ParameterizedTest
    @EnumSource(BrokenStores.Defect.class)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void brokenStoreFailsNamingTheContract(BrokenStores.Defect defect) {
        final TestExecutionSummary summary = runSuite(defect);
        final List<String> messages = summary.getFailures().stream()
            .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException().getMessage())
            .collect(Collectors.toList());
        assertTrue(summary.getTotalFailureCount() > 0, defect + " passed the whole suite");
        final boolean named = messages.stream().anyMatch(m -> Arrays.stream(defect.contracts)
            .anyMatch(c -> m.contains(c + " -- BROKEN by BrokenStores." + defect + ":")));
        System.out.println(defect + ": " + summary.getTotalFailureCount() + " of " + summary.getTestsStartedCount()
            + " cases failed:\n  " + messages.stream().map(m -> m.lines().limit(2).collect(Collectors.joining(" | ")))
            .collect(Collectors.joining("\n  ")));
        final List<String> unnamed = messages.stream().filter(m -> !m.contains(" -- BROKEN by BrokenStores." + defect + ":"))
            .collect(Collectors.toList());
        assertTrue(unnamed.isEmpty(), "failures that name no contract:\n" + String.join("\n", unnamed));
        assertTrue(named, defect + " failed, but no failure names " + Arrays.toString(defect.contracts) + ":\n"
            + String.join("\n", messages));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void theUnbrokenWrapperPassesTheSuite() {
        final TestExecutionSummary summary = runSuite(null);
        assertEquals(0, summary.getTotalFailureCount(), () -> summary.getFailures().stream()
            .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException().getMessage())
            .collect(Collectors.joining("\n")));
        assertTrue(summary.getTestsSucceededCount() >= 30, "only " + summary.getTestsSucceededCount() + " cases ran");
    }
}
