package dev.traininghealth.daemon.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.RuleSet;
import io.prometheus.client.CollectorRegistry;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStoreTest {
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final JobMetrics jobMetrics = new JobMetrics(registry, 1);
  private final AlertMetrics alertMetrics = new AlertMetrics(registry);
  private final JobStore store = new JobStore(RuleSet.defaults(), 2, 3, jobMetrics, alertMetrics);

  private List<AlertChange> feed(String job, long iter, double loss) {
    Iteration it =
        Iteration.builder(Header.of(job, "r", iter, 1000 + iter, iter, 0, null)).loss(loss).build();
    JobState s = store.touch(job, 0);
    List<AlertChange> changes = s.onEvent(it, 0);
    changes.forEach(c -> alertMetrics.changed(c, s.metrics().exported()));
    return changes;
  }

  private Double sample(String name, String job) {
    return registry.getSampleValue(name, new String[] {"job"}, new String[] {job});
  }

  @Test
  void exportsOnlyTheFirstJobsUpToTheCapAndCountsTheRest() {
    feed("a", 1, 0.5);
    feed("b", 1, 0.7);
    assertEquals(0.5, sample("th_job_loss", "a"));
    assertNull(sample("th_job_loss", "b"), "b is over the export cap");
    assertEquals(1.0, registry.getSampleValue("th_jobs_not_exported_total"));
    assertEquals(0.7, store.peek("b").summary().getDouble("loss"), "b is still tracked");
  }

  @Test
  void evictsTheLeastRecentlySeenJobAndRemovesItsSeries() {
    List<AlertChange> changes = feed("a", 1, Double.NaN);
    assertEquals(AlertState.FIRING, changes.get(0).to());
    feed("b", 1, 0.7);
    feed("c", 1, 0.9); // a, the least recently seen, goes
    assertNull(store.peek("a"));
    assertNotNull(store.peek("b"));
    assertEquals(2, store.size());
    assertEquals(1.0, registry.getSampleValue("th_jobs_evicted_total"));
    assertNull(sample("th_job_loss", "a"));
    assertNull(registry.getSampleValue("th_alerts_firing",
        new String[] {"job", "rule", "severity"}, new String[] {"a", "nonfinite", "critical"}));
    assertEquals(1.0, registry.getSampleValue("th_jobs_exported"), "c took the freed place");
    assertEquals(0.9, sample("th_job_loss", "c"));
  }

  @Test
  void keepsABoundedRingOfRecentIterations() {
    for (int i = 1; i <= 5; i++) {
      feed("a", i, 1.0 / i);
    }
    JsonObject series = store.peek("a").detail(10).getJsonObject("series");
    assertEquals(List.of(3L, 4L, 5L), series.getJsonArray("iter").getList().stream()
        .map(o -> ((Number) o).longValue()).toList());
    assertEquals(2, store.peek("a").detail(2).getJsonObject("series").getJsonArray("iter").size());
    assertTrue(store.peek("a").summary().getJsonArray("alerts").isEmpty());
  }
  @Test
  void reportsTheRunWorkerAndPhaseOfTheLatestEvent() {
    JobState s = store.touch("w", 0);
    // Fresh strings each time, as the decoder makes them: the state keeps the latest run's.
    s.onEvent(Iteration.builder(Header.of("w", new String("run-1"), 1, 1001, 1, 0, null))
        .loss(1).build(), 0);
    s.onEvent(Iteration.builder(Header.of("w", new String("run-1"), 2, 1002, 2, 0, null))
        .loss(1).build(), 0);
    assertEquals("run-1", s.summary().getString("run"));
    assertEquals("training", s.summary().getString("phase"));
    s.onEvent(Heartbeat.of(Header.of("w", new String("run-1"), 3, 1003, 2, 0, null),
        new String("evaluating"), 0), 0);
    assertEquals("evaluating", s.summary().getString("phase"));
    s.onEvent(Iteration.builder(Header.of("w", new String("run-2"), 1, 1003, 1, 0,
        new String("worker-1"))).loss(1).build(), 0);
    assertEquals("run-2", s.summary().getString("run"));
    assertEquals("training", s.summary().getString("phase"));
    assertEquals("worker-1", s.summary().getString("worker"));
    s.onEvent(Iteration.builder(Header.of("w", new String("run-1"), 4, 1004, 3, 0, null))
        .loss(1).build(), 0);
    assertEquals("run-1", s.summary().getString("run"));
    assertNull(s.summary().getString("worker"));
  }
}
