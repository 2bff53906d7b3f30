package dev.traininghealth.daemon.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.ingest.DeadLetterReason;
import dev.traininghealth.daemon.ingest.IngestMetrics;
import dev.traininghealth.daemon.metrics.Exposition;
import dev.traininghealth.daemon.metrics.MetricsRegistry;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.Severity;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The exposition of our own metric families, compared as text with what Prometheus gets. */
class MetricsGoldenTest {
  private static CollectorRegistry recordKnownSamples(int maxJobs) {
    CollectorRegistry r = new CollectorRegistry(true);
    IngestMetrics ingest = new IngestMetrics(r);
    JobMetrics jobs = new JobMetrics(r, maxJobs);
    AlertMetrics alerts = new AlertMetrics(r);
    ingest.event(EventType.ITERATION);
    ingest.event(EventType.ITERATION);
    ingest.event(EventType.NONFINITE);
    ingest.deadLetter(DeadLetterReason.NOT_JSON);
    JobMetrics.Series s = jobs.newJob("mnist");
    jobs.tracked(2);
    s.event();
    s.event();
    s.event();
    s.iteration(41, 0.25, 3.5, 0.001);
    s.iteration(42, Double.NaN, Double.NaN, 0.001);
    s.nonFinite(NonFinite.Where.LOSS);
    s.dropped(7);
    s.curvature(12.5, -0.5);
    JobMetrics.Series capped = jobs.newJob("over-the-cap");
    capped.event();
    Alert firing =
        Alert.of("mnist", "nonfinite", Severity.CRITICAL, AlertState.FIRING, 42, 1000, 1, "x");
    alerts.changed(AlertChange.of(AlertState.INACTIVE, firing), s.exported());
    return r;
  }

  private static final String EXPECTED =
      """
      # HELP th_events_total Events read from th.events and decoded, by event type.
      # TYPE th_events_total counter
      th_events_total{type="iteration",} 2.0
      th_events_total{type="nonfinite",} 1.0
      # HELP th_dead_letters_total Records of th.events that could not be read, by class of reason; each goes to th.events.dlq with the full reason.
      # TYPE th_dead_letters_total counter
      th_dead_letters_total{reason="not_json",} 1.0
      # HELP th_dead_letters_unsent_total Dead letters that could not be written to th.events.dlq.
      # TYPE th_dead_letters_unsent_total counter
      th_dead_letters_unsent_total 0.0
      # HELP th_replayed_events_total Events of th.events read again, below the committed offset, to rebuild the state of jobs whose partitions this daemon was assigned.
      # TYPE th_replayed_events_total counter
      th_replayed_events_total 0.0
      # HELP th_partitions_assigned Partitions of th.events assigned to this daemon now.
      # TYPE th_partitions_assigned gauge
      th_partitions_assigned 0.0
      # HELP th_job_loss Latest loss of the job (mean over the minibatch); NaN when it was.
      # TYPE th_job_loss gauge
      th_job_loss{job="mnist",} NaN
      # HELP th_job_gradient_norm Latest global L2 norm of the job's gradient.
      # TYPE th_job_gradient_norm gauge
      th_job_gradient_norm{job="mnist",} 3.5
      # HELP th_job_learning_rate Latest learning rate of the job.
      # TYPE th_job_learning_rate gauge
      th_job_learning_rate{job="mnist",} 0.001
      # HELP th_job_iteration Latest iteration the job reported.
      # TYPE th_job_iteration gauge
      th_job_iteration{job="mnist",} 42.0
      # HELP th_job_lambda_max Latest estimate of the largest Hessian eigenvalue.
      # TYPE th_job_lambda_max gauge
      th_job_lambda_max{job="mnist",} 12.5
      # HELP th_job_lambda_min Latest estimate of the most negative Hessian eigenvalue.
      # TYPE th_job_lambda_min gauge
      th_job_lambda_min{job="mnist",} -0.5
      # HELP th_job_events_total Events received from the job, all types.
      # TYPE th_job_events_total counter
      th_job_events_total{job="mnist",} 3.0
      # HELP th_nonfinite_events_total Non-finite findings of the job, by where they were (an iteration with a non-finite loss counts as where="loss").
      # TYPE th_nonfinite_events_total counter
      th_nonfinite_events_total{job="mnist",where="loss",} 1.0
      # HELP th_agent_dropped_events Events the job's agent reports it dropped so far in its current run.
      # TYPE th_agent_dropped_events gauge
      th_agent_dropped_events{job="mnist",} 7.0
      # HELP th_jobs_tracked Jobs held in memory.
      # TYPE th_jobs_tracked gauge
      th_jobs_tracked 2.0
      # HELP th_jobs_exported Jobs that have series on /metrics.
      # TYPE th_jobs_exported gauge
      th_jobs_exported 1.0
      # HELP th_jobs_not_exported_total Jobs left off /metrics because th.daemon.metrics.jobs.max jobs already had series; they are still evaluated and alerted on.
      # TYPE th_jobs_not_exported_total counter
      th_jobs_not_exported_total 1.0
      # HELP th_jobs_evicted_total Jobs dropped from memory, least recently seen first, to stay within th.daemon.jobs.max.
      # TYPE th_jobs_evicted_total counter
      th_jobs_evicted_total 0.0
      # HELP th_events_evaluated_total Events the rules evaluated, of all jobs (duplicates are not evaluated); behind th_events_total while evaluation catches up.
      # TYPE th_events_evaluated_total counter
      th_events_evaluated_total 4.0
      # HELP th_alerts_firing 1 while the job's alert of this rule is firing, else 0.
      # TYPE th_alerts_firing gauge
      th_alerts_firing{job="mnist",rule="nonfinite",severity="critical",} 1.0
      # HELP th_alert_state 1 for the state the job's alert of this rule is in (pending, firing, resolved); no series while it is inactive.
      # TYPE th_alert_state gauge
      th_alert_state{job="mnist",rule="nonfinite",severity="critical",state="firing",} 1.0
      # HELP th_alert_transitions_total Alert state changes over all jobs, by rule, severity and new state.
      # TYPE th_alert_transitions_total counter
      th_alert_transitions_total{rule="nonfinite",severity="critical",to="firing",} 1.0
      """;

  @Test
  void ourFamiliesExposeAsExpectedInPrometheusText() {
    Exposition e = Exposition.scrape(recordKnownSamples(1), null);
    assertEquals(TextFormat.CONTENT_TYPE_004, e.contentType());
    assertEquals(canonical(EXPECTED), canonical(e.body()));
  }

  /**
   * Families sorted by name and samples sorted within each: the registry and simpleclient keep
   * both in hash order, which the format does not fix and Prometheus does not care about.
   */
  private static String canonical(String exposition) {
    TreeMap<String, List<String>> families = new TreeMap<>();
    List<String> current = null;
    for (String line : exposition.split("\n")) {
      if (line.startsWith("# HELP ")) {
        current = new ArrayList<>();
        families.put(line.split(" ")[2], current);
      }
      current.add(line);
    }
    StringBuilder out = new StringBuilder();
    for (List<String> f : families.values()) {
      List<String> samples = new ArrayList<>(f.subList(2, f.size()));
      Collections.sort(samples);
      out.append(f.get(0)).append('\n').append(f.get(1)).append('\n');
      samples.forEach(s -> out.append(s).append('\n'));
    }
    return out.toString();
  }

  @Test
  void everySampleCarriesTheDaemonsInstanceLabel() {
    String body = Exposition.scrape(recordKnownSamples(1), null, "host-a:42").body();
    int samples = 0;
    for (String line : body.split("\n")) {
      if (!line.startsWith("#")) {
        samples++;
        assertTrue(line.contains("instance=\"host-a:42\""), line);
      }
    }
    assertTrue(samples > 20, body);
    assertTrue(body.contains(
        "th_alerts_firing{job=\"mnist\",rule=\"nonfinite\",severity=\"critical\","
            + "instance=\"host-a:42\",} 1.0\n"), body);
    assertTrue(body.contains("th_jobs_tracked{instance=\"host-a:42\",} 2.0\n"), body);
  }

  @Test
  void openMetricsWhenTheScraperAsksForIt() {
    Exposition e =
        Exposition.scrape(recordKnownSamples(1), "application/openmetrics-text; version=1.0.0");
    assertEquals(TextFormat.CONTENT_TYPE_OPENMETRICS_100, e.contentType());
    assertTrue(e.body().contains(
        "th_alerts_firing{job=\"mnist\",rule=\"nonfinite\",severity=\"critical\"} 1.0\n"),
        e.body());
    assertTrue(e.body().endsWith("# EOF\n"), e.body());
  }

  @Test
  void jvmMetricsAreInTheDaemonsRegistryButNotInTheDefaultOne() {
    CollectorRegistry r = MetricsRegistry.withJvmMetrics();
    String body = Exposition.scrape(r, null).body();
    assertTrue(body.contains("jvm_memory_bytes_used"), "no JVM metrics");
    assertTrue(!body.contains("_created"), "counters' _created series are exported");
    assertEquals(null, CollectorRegistry.defaultRegistry.getSampleValue("jvm_threads_current"));
  }
}
