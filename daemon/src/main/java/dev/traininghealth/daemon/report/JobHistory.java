package dev.traininghealth.daemon.report;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.rules.rule.ActionRequest;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.RuleSet;
import java.util.ArrayList;
import java.util.List;

/**
 * One job's history replayed from a log: its series, and the timeline of what the rules and the
 * agent did. The rules see time pass as the events' timestamps do, ticked at most once a second
 * as the daemon's timer would.
 */
final class JobHistory {
  private static final long TICK_MS = 1000;

  /** One line of the timeline. */
  record Entry(long ts, long iter, String kind, String severity, String text) {}

  final String job;
  final Series iterations = new Series(4); // loss, gradient norm, learning rate, step ms
  final Series curvature = new Series(2); // lambda max, lambda min
  final List<Entry> timeline = new ArrayList<>();
  final List<String> runs = new ArrayList<>();
  private final JobEvaluator evaluator;
  long events;
  long nonFinite;
  long firstTs = Long.MAX_VALUE;
  long lastTs;
  String outcome = "";
  private long lastTick;

  JobHistory(String job, RuleSet rules) {
    this.job = job;
    this.evaluator = new JobEvaluator(job, rules);
  }

  void accept(Event e) {
    long ts = e.header().ts();
    events++;
    firstTs = Math.min(firstTs, ts);
    lastTs = Math.max(lastTs, ts);
    if (!runs.contains(e.header().run())) {
      runs.add(e.header().run());
      if (runs.size() > 1) {
        timeline.add(new Entry(ts, e.iter(), "run", "info", "new run " + e.header().run()));
      }
    }
    switch (e.type()) {
      case ITERATION -> {
        Iteration it = (Iteration) e;
        iterations.add(it.iter(), it.loss(), it.gradNorm(), it.learningRate(), it.stepMs());
      }
      case CURVATURE -> {
        Curvature c = (Curvature) e;
        curvature.add(c.iter(), c.lambdaMax(), c.lambdaMin());
      }
      case NONFINITE -> {
        NonFinite n = (NonFinite) e;
        nonFinite++;
        timeline.add(new Entry(ts, n.iter(), "nonfinite", "critical", "non-finite "
            + n.where().wireName()
            + (n.layer() == null || n.layer().isEmpty() ? "" : " in layer " + n.layer())));
      }
      case ACTION_RESULT -> {
        ActionResult a = (ActionResult) e;
        timeline.add(new Entry(ts, a.iter(), "action_result",
            a.outcome() == ActionResult.Outcome.APPLIED ? "info" : "warning",
            a.action() + " " + a.commandId() + ": " + a.outcome().wireName()
                + (a.reason().isEmpty() ? "" : " (" + a.reason() + ")")));
      }
      case JOB_STARTED -> timeline.add(new Entry(ts, e.iter(), "job", "info", "job started"));
      case JOB_FINISHED -> {
        JobFinished f = (JobFinished) e;
        outcome = f.outcome();
        timeline.add(new Entry(ts, e.iter(), "job", "info", "job finished: " + f.outcome()));
      }
      default -> {
        // plateau, activations, heartbeats: only the rules look at them
      }
    }
    changes(evaluator.onEvent(e), e.iter(), ts);
    if (ts - lastTick >= TICK_MS) {
      lastTick = ts;
      changes(evaluator.onTick(ts), e.iter(), ts);
    }
  }

  private void changes(List<AlertChange> cs, long iter, long ts) {
    for (AlertChange c : cs) {
      var a = c.alert();
      String text = a.rule() + ": " + c.from().wireName() + " → " + c.to().wireName()
          + (a.evidence().isEmpty() ? "" : " (" + a.evidence() + ")");
      timeline.add(new Entry(ts, iter,
          c.isEscalation() ? "escalation" : "alert", a.severity().wireName(), text));
      for (ActionRequest r : c.actions()) {
        timeline.add(new Entry(ts, iter, "action", a.severity().wireName(),
            "rule " + r.rule() + " asks for " + r.action() + (r.params().isEmpty() ? ""
                : " " + r.params()) + " (rung " + r.rung() + ")"));
      }
    }
  }

  /** Columns of doubles by iteration, growing as needed. */
  static final class Series {
    private long[] x = new long[256];
    private final double[][] y;
    private int n;

    Series(int columns) {
      y = new double[columns][256];
    }

    void add(long iter, double... values) {
      if (n == x.length) {
        x = java.util.Arrays.copyOf(x, n * 2);
        for (int c = 0; c < y.length; c++) {
          y[c] = java.util.Arrays.copyOf(y[c], n * 2);
        }
      }
      x[n] = iter;
      for (int c = 0; c < y.length; c++) {
        y[c][n] = values[c];
      }
      n++;
    }

    int size() {
      return n;
    }

    long x(int i) {
      return x[i];
    }

    double y(int column, int i) {
      return y[column][i];
    }
  }
}
