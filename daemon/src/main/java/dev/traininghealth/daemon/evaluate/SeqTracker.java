package dev.traininghealth.daemon.evaluate;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks the {@code seq} of one job's events, run by run: an event at or below the last seq of
 * its run is a duplicate (Kafka redelivers after a rebalance; a producer retries) and is
 * dropped; one beyond the next seq leaves a gap (the agent's queue overflowed, or records were
 * lost). Several workers of one job each have a run of their own, so the last seq is kept for
 * up to {@value #MAX_RUNS} runs, the least recently seen forgotten first. Not thread-safe.
 */
final class SeqTracker {
  static final int MAX_RUNS = 8;

  /** What {@link #accept} found. */
  enum Verdict {
    NEXT,
    GAP,
    DUPLICATE
  }

  private final Map<String, long[]> lastByRun =
      new LinkedHashMap<>(4, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
          return size() > MAX_RUNS;
        }
      };
  // The run of the last event and its slot: most events come from the same run as the last.
  private String lastRun;
  private long[] last;
  private long missing;

  /** Takes the seq of an event of {@code run}; says whether it is the next, after a gap, or old. */
  Verdict accept(String run, long seq) {
    if (!run.equals(lastRun)) {
      long[] slot = lastByRun.get(run);
      if (slot == null) {
        slot = new long[] {seq - 1};
        lastByRun.put(run, slot);
      }
      lastRun = run;
      last = slot;
    }
    long expected = last[0] + 1;
    if (seq < expected) {
      return Verdict.DUPLICATE;
    }
    last[0] = seq;
    if (seq > expected) {
      missing += seq - expected;
      return Verdict.GAP;
    }
    return Verdict.NEXT;
  }

  /** The run of the last event taken, the same string object while the run stays the same. */
  String run() {
    return lastRun;
  }

  /** Events missing in the gaps seen so far. */
  long missing() {
    return missing;
  }
}
