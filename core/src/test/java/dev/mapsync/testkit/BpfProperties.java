package dev.mapsync.testkit;

import dev.mapsync.Backend;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Skips a jqwik property (saying why, and noting it for the test summary) when this machine cannot run the bpf
 * backend: jqwik counts an aborted try as a rejected sample, not as a skip.
 */
public final class BpfProperties implements SkipExecutionHook {
    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        String reason = Machine.noteRunOrSkip(Backend.BPF);
        return reason == null ? SkipResult.doNotSkip() : SkipResult.skip("bpf backend: " + reason);
    }
}
