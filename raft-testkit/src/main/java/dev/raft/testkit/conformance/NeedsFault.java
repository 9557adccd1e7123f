package dev.raft.testkit.conformance;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a case of {@link StorageConformanceSuite} that needs faults: skipped when the factory declares one
 * unsupported, or (with {@link #partly()}) run without the steps that need it. The suite's fault report
 * lists these cases for every unsupported fault.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@interface NeedsFault {
    /** The faults the case uses. */
    Fault[] value();

    /** Whether the case still runs, without the steps that inject the fault. */
    boolean partly() default false;
}
