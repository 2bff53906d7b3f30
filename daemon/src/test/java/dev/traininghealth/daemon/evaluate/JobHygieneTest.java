package dev.traininghealth.daemon.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.rule.RuleSet;
import io.prometheus.client.CollectorRegistry;
import org.junit.jupiter.api.Test;

class JobHygieneTest {
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final JobMetrics jobMetrics = new JobMetrics(registry, 10);
  private final JobStore store = new JobStore(RuleSet.defaults(), 10, 3, jobMetrics,
      new AlertMetrics(registry), new StreamMetrics(registry));

  private int feed(String job, String run, long seq, long nowMs) {
    Iteration it = Iteration.builder(Header.of(job, run, seq, nowMs, seq, 0, null)).loss(1)
        .build();
    return store.touch(job, nowMs).onEvent(it, nowMs).size();
  }

  @Test
  void evictsJobsIdleForLongerThanTheLimitAndKeepsTheOthers() {
    feed("old", "r", 0, 0);
    feed("fresh", "r", 0, 0);
    feed("fresh", "r", 1, 50_000);
    assertEquals(1, store.evictIdle(61_000, 60_000));
    assertNull(store.peek("old"));
    assertNotNull(store.peek("fresh"));
    assertEquals(1.0, registry.getSampleValue("th_jobs_idle_evicted_total"));
    assertEquals(1.0, registry.getSampleValue("th_jobs_evicted_total"));
    assertEquals(1.0, registry.getSampleValue("th_jobs_tracked"));
    assertEquals(0, store.evictIdle(Long.MAX_VALUE, 0), "0 turns idle eviction off");
  }

  @Test
  void keepsTheLastSeqOfSeveralRunsAndForgetsTheOldestBeyondTheCap() {
    SeqTracker t = new SeqTracker();
    for (int run = 0; run < SeqTracker.MAX_RUNS; run++) {
      assertEquals(SeqTracker.Verdict.NEXT, t.accept("run-" + run, 10));
    }
    assertEquals(SeqTracker.Verdict.DUPLICATE, t.accept("run-0", 10));
    assertEquals(SeqTracker.Verdict.NEXT, t.accept("run-0", 11));
    assertEquals(SeqTracker.Verdict.GAP, t.accept("run-3", 20));
    assertEquals(9, t.missing());
    t.accept("run-new", 0); // run-1 is now the least recently seen and goes
    assertEquals(SeqTracker.Verdict.NEXT, t.accept("run-1", 5), "forgotten: starts again");
    assertTrue(t.accept("run-0", 11) == SeqTracker.Verdict.DUPLICATE);
  }
}
