package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.RuleHealth;
import dev.traininghealth.rules.rule.RuleSet;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What the daemon knows of one job: its rule evaluator, the latest values, and a ring of recent
 * iterations. Confined to the evaluate verticle's context; not thread-safe.
 */
final class JobState {
  private final String job;
  private JobEvaluator evaluator;
  private final SeriesRing recent;
  private final JobMetrics.Series metrics;
  private final StreamMetrics stream;
  private final SeqTracker seqs = new SeqTracker();
  private long seqGaps;
  private long duplicates;
  private final long firstSeenMs;
  private long lastSeenMs;
  private long events;
  private String run = "";
  private String worker;
  private String phase = "";
  private String outcome = "";
  private long lastTs;
  private long iter = -1;
  private int epoch;
  private double loss = Double.NaN;
  private double gradNorm = Double.NaN;
  private double learningRate = Double.NaN;
  private double lambdaMax = Double.NaN;
  private double lambdaMin = Double.NaN;
  private long dropped;
  private long nonFinite;
  private int partition = EventBatch.NO_PARTITION;

  JobState(String job, RuleSet rules, int seriesPoints, JobMetrics.Series metrics,
      StreamMetrics stream, long nowMs) {
    this.job = job;
    this.evaluator = new JobEvaluator(job, rules);
    this.recent = new SeriesRing(seriesPoints);
    this.metrics = metrics;
    this.stream = stream;
    this.firstSeenMs = nowMs;
    this.lastSeenMs = nowMs;
  }

  String job() {
    return job;
  }

  JobMetrics.Series metrics() {
    return metrics;
  }

  long lastSeenMs() {
    return lastSeenMs;
  }

  /** The partition of {@code th.events} the job's events last came from. */
  int partition() {
    return partition;
  }

  void partition(int p) {
    partition = p;
  }

  /**
   * Takes one event: a duplicate {@code seq} of its run is dropped here (counted), a gap is
   * counted; then latest values and metrics, then the rules; returns their changes.
   */
  List<AlertChange> onEvent(Event e, long nowMs) {
    lastSeenMs = nowMs;
    SeqTracker.Verdict seq = seqs.accept(e.header().run(), e.header().seq());
    if (seq == SeqTracker.Verdict.DUPLICATE) {
      duplicates++;
      stream.duplicate(metrics);
      return List.of();
    }
    if (seq == SeqTracker.Verdict.GAP) {
      seqGaps++;
      stream.gap(metrics);
    }
    events++;
    metrics.event();
    // Stores only on a change: a reference stored into this long-lived state dirties a card for
    // G1's refinement threads (and a fresh string is kept alive), once per event of every job.
    if (seqs.run() != run) {
      run = seqs.run();
    }
    if (!java.util.Objects.equals(worker, e.header().worker())) {
      worker = e.header().worker();
    }
    lastTs = e.header().ts();
    iter = Math.max(iter, e.iter());
    epoch = e.header().epoch();
    switch (e.type()) {
      case ITERATION -> {
        Iteration it = (Iteration) e;
        loss = it.loss();
        gradNorm = it.gradNorm();
        learningRate = it.learningRate();
        dropped = it.dropped();
        setPhase("training");
        recent.add(it.iter(), lastTs, loss, gradNorm, learningRate);
        metrics.iteration(it.iter(), loss, gradNorm, learningRate);
        metrics.dropped(dropped);
        if (!Double.isFinite(loss)) {
          nonFinite++;
          metrics.nonFinite(NonFinite.Where.LOSS);
        }
      }
      case NONFINITE -> {
        nonFinite++;
        metrics.nonFinite(((NonFinite) e).where());
      }
      case CURVATURE -> {
        Curvature c = (Curvature) e;
        lambdaMax = c.lambdaMax();
        lambdaMin = c.lambdaMin();
        metrics.curvature(lambdaMax, lambdaMin);
      }
      case HEARTBEAT -> {
        Heartbeat h = (Heartbeat) e;
        setPhase(h.phase());
        dropped = h.dropped();
        metrics.dropped(dropped);
      }
      case JOB_STARTED -> {
        phase = "started";
        outcome = "";
      }
      case JOB_FINISHED -> {
        JobFinished f = (JobFinished) e;
        phase = "finished";
        outcome = f.outcome();
        dropped = f.dropped();
        metrics.dropped(dropped);
      }
      case ACTION_RESULT -> {
        if (JobEvaluator.isAppliedRestart(e)) {
          return startOver((ActionResult) e);
        }
      }
      default -> {
        // plateau, activations: only the rules look at them
      }
    }
    return evaluator.onEvent(e);
  }

  /**
   * A restart replaced the run's parameters: the rules start over on the new trajectory
   * ({@link JobEvaluator#startOver}), and the alerts of the old one are retired.
   */
  private List<AlertChange> startOver(ActionResult r) {
    JobEvaluator[] next = new JobEvaluator[1];
    List<AlertChange> retired = evaluator.startOver(r, next);
    evaluator = next[0];
    return retired;
  }

  List<AlertChange> onTick(long nowMs) {
    return evaluator.onTick(nowMs);
  }

  List<Alert> alerts() {
    return evaluator.alerts();
  }

  List<RuleHealth> health() {
    return evaluator.health();
  }

  /**
   * Evaluates this job under {@code rules} from now on ({@link JobEvaluator#withRules}: rules
   * that did not change keep their state); returns the alerts, pending or firing or resolved,
   * that this retires because their rule went away or changed.
   */
  List<Alert> replaceRules(RuleSet rules) {
    JobEvaluator next = evaluator.withRules(rules);
    List<Alert> retired = new ArrayList<>();
    for (Alert a : evaluator.alerts()) {
      if (a.state() != AlertState.INACTIVE && next.alert(a.rule()) != a) {
        retired.add(a);
      }
    }
    evaluator = next;
    return retired;
  }

  /** Like the run and the worker, stored only on a change (see {@link #onEvent}). */
  private void setPhase(String p) {
    if (!phase.equals(p)) {
      phase = p;
    }
  }

  /** The latest values and the alerts that are not inactive, as listed by {@code /api/jobs}. */
  JsonObject summary() {
    JsonObject o =
        new JsonObject()
            .put("job", job)
            .put("run", run)
            .put("phase", phase)
            .put("iteration", iter)
            .put("epoch", epoch)
            .put("loss", Json.number(loss))
            .put("gradient_norm", Json.number(gradNorm))
            .put("learning_rate", Json.number(learningRate))
            .put("lambda_max", Json.number(lambdaMax))
            .put("lambda_min", Json.number(lambdaMin))
            .put("events", events)
            .put("nonfinite_events", nonFinite)
            .put("agent_dropped_events", dropped)
            .put("seq_gaps", seqGaps)
            .put("missing_events", seqs.missing())
            .put("duplicate_events", duplicates)
            .put("last_event_ts", lastTs)
            .put("first_seen_ms", firstSeenMs)
            .put("last_seen_ms", lastSeenMs)
            .put("exported", metrics.exported());
    if (worker != null) {
      o.put("worker", worker);
    }
    if (!outcome.isEmpty()) {
      o.put("outcome", outcome);
    }
    JsonArray active = new JsonArray();
    for (Alert a : evaluator.alerts()) {
      if (a.state() != AlertState.INACTIVE) {
        active.add(alertJson(a));
      }
    }
    return o.put("alerts", active);
  }

  /** The summary plus every rule's alert and the newest {@code points} iterations. */
  JsonObject detail(int points) {
    JsonObject o = summary();
    JsonArray all = new JsonArray();
    for (Alert a : evaluator.alerts()) {
      all.add(alertJson(a));
    }
    return o.put("alerts", all).put("series", recent.toJson(points));
  }

  static JsonObject alertJson(Alert a) {
    return new JsonObject()
        .put("rule", a.rule())
        .put("severity", a.severity().wireName())
        .put("state", a.state().wireName())
        .put("since_iter", a.sinceIter())
        .put("since_ts", a.sinceTs())
        .put("value", Json.number(a.value()))
        .put("evidence", a.evidence());
  }
}
