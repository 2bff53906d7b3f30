package dev.traininghealth.agent.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a failing probe from hurting the run: every probe runs through {@link #run}, which
 * catches everything; after {@value #MAX_CONSECUTIVE_FAILURES} failures in a row the probe is
 * switched off for the rest of the run, and the reason is queued for the listener to report.
 * Used from the training thread only.
 */
public final class ProbeGuard {
  /** Failures in a row after which a probe is disabled. */
  public static final int MAX_CONSECUTIVE_FAILURES = 3;

  private final Map<String, int[]> failures = new LinkedHashMap<>();
  private final Map<String, String> disabled = new LinkedHashMap<>();
  private final List<String> newlyDisabled = new ArrayList<>();

  /** Whether {@code probe} still runs. */
  public boolean enabled(String probe) {
    return !disabled.containsKey(probe);
  }

  /** Runs {@code body} as probe {@code probe}; returns false if it is disabled or failed. */
  public boolean run(String probe, Runnable body) {
    if (disabled.containsKey(probe)) {
      return false;
    }
    try {
      body.run();
      int[] f = failures.get(probe);
      if (f != null) {
        f[0] = 0;
      }
      return true;
    } catch (Throwable t) {
      int[] f = failures.computeIfAbsent(probe, k -> new int[1]);
      if (++f[0] >= MAX_CONSECUTIVE_FAILURES) {
        String why = "probe '" + probe + "' disabled after " + f[0] + " failures in a row: " + t;
        disabled.put(probe, why);
        newlyDisabled.add(why);
        System.err.println("[training-health] " + why);
      }
      return false;
    }
  }

  /** Reasons for probes disabled since the last call, oldest first; clears them. */
  public List<String> drainNewlyDisabled() {
    if (newlyDisabled.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(newlyDisabled);
    newlyDisabled.clear();
    return out;
  }

  /** Every disabled probe with its reason. */
  public Map<String, String> disabled() {
    return java.util.Collections.unmodifiableMap(disabled);
  }
}
