package dev.traininghealth.rules.rule;

import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@link JobEvaluator} as it was before its per-event state moved into arrays and it began to
 * skip detectors on the event types they ignore, kept verbatim as the oracle of
 * {@code JobEvaluatorEquivalenceTest}. Its original comment:
 *
 * <p> * Runs a rule set over the events of one job and keeps each rule's alert lifecycle, as
 * Prometheus does: inactive → pending (condition holds) → firing (held for {@code for}) →
 * resolved (condition gone); a resolved alert may go pending again once its cooldown has passed.
 *
 * <p>Going firing asks for the first rung of the rule's action ladder; while it stays firing,
 * each further {@code escalate_after} iterations ask for the next rung (the last did not help),
 * as a firing → firing change. Resolving resets the ladder.
 *
 * <p>A detector that throws is caught and counted, its rule is unhealthy until its next good
 * evaluation, and the alert stays as it was; nothing propagates to the caller. Not thread-safe;
 * one per job. Evaluating a healthy stream allocates nothing.
 */
final class ReferenceJobEvaluator {
  private final String job;
  private final Slot[] slots;

  ReferenceJobEvaluator(String job, RuleSet rules) {
    this(job, rules, RuleSet::newDetector);
  }

  /** With detectors from {@code detectors}: lets tests plant a failing one. */
  ReferenceJobEvaluator(String job, RuleSet rules, Function<Rule, Detector> detectors) {
    this.job = job;
    List<Rule> rs = rules.rules();
    this.slots = new Slot[rs.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(job, rs.get(i), detectors.apply(rs.get(i)));
    }
  }

  private ReferenceJobEvaluator(String job, Slot[] slots) {
    this.job = job;
    this.slots = slots;
  }

  /**
   * This job under a new rule set, for a rules reload: a rule that is unchanged (equal
   * definition, same name) keeps its detector state, alert, cooldown and ladder position, so a
   * reload that touches one rule does not reset the others; a new or changed rule starts with a
   * fresh detector and an inactive alert. This evaluator is left as it was, so the caller can
   * compare {@link #alerts()} of both to retire the alerts of rules that went away or changed.
   */
  public ReferenceJobEvaluator withRules(RuleSet rules) {
    List<Rule> rs = rules.rules();
    Slot[] next = new Slot[rs.size()];
    for (int i = 0; i < next.length; i++) {
      Rule r = rs.get(i);
      Slot kept = null;
      for (Slot s : slots) {
        if (s.rule.equals(r)) {
          kept = s;
          break;
        }
      }
      next[i] = kept != null ? kept : new Slot(job, r, RuleSet.newDetector(r));
    }
    return new ReferenceJobEvaluator(job, next);
  }

  public String job() {
    return job;
  }

  /** Feeds one event; returns the alerts whose state changed (often none). */
  public List<AlertChange> onEvent(Event e) {
    List<AlertChange> changes = null;
    long iter = e.iter();
    long ts = e.header().ts();
    for (Slot s : slots) {
      Finding f;
      try {
        f = s.detector.onEvent(e);
        s.healthy = true;
      } catch (RuntimeException ex) {
        s.failed(ex);
        continue;
      }
      AlertChange c = s.step(f, iter, ts);
      if (c != null) {
        if (changes == null) {
          changes = new ArrayList<>(2);
        }
        changes.add(c);
      }
    }
    return changes == null ? Collections.emptyList() : changes;
  }

  /** Lets time pass (for silence detectors); returns the alerts whose state changed. */
  public List<AlertChange> onTick(long nowMs) {
    List<AlertChange> changes = null;
    for (Slot s : slots) {
      Finding f;
      try {
        f = s.detector.onTick(nowMs);
        s.healthy = true;
      } catch (RuntimeException ex) {
        s.failed(ex);
        continue;
      }
      AlertChange c = s.step(f, s.lastIter, nowMs);
      if (c != null) {
        if (changes == null) {
          changes = new ArrayList<>(2);
        }
        changes.add(c);
      }
    }
    return changes == null ? Collections.emptyList() : changes;
  }

  /** Every rule's alert as it stands now. */
  public List<Alert> alerts() {
    List<Alert> out = new ArrayList<>(slots.length);
    for (Slot s : slots) {
      out.add(s.current);
    }
    return out;
  }

  /** The alert of the rule called {@code rule}, or {@code null} when there is no such rule. */
  public Alert alert(String rule) {
    for (Slot s : slots) {
      if (s.rule.name().equals(rule)) {
        return s.current;
      }
    }
    return null;
  }

  /** Every rule's health for this job. */
  public List<RuleHealth> health() {
    List<RuleHealth> out = new ArrayList<>(slots.length);
    for (Slot s : slots) {
      out.add(RuleHealth.of(s.rule.name(), s.healthy, s.errors, s.lastError));
    }
    return out;
  }

  private static final class Slot {
    final String job;
    final Rule rule;
    final Detector detector;
    Alert current;
    long pendingSinceIter;
    long pendingSinceTs;
    long resolvedAtIter;
    long resolvedAtTs;
    long lastIter;
    int rung = -1;
    long rungIter;
    boolean healthy = true;
    long errors;
    String lastError = "";

    Slot(String job, Rule rule, Detector detector) {
      this.job = job;
      this.rule = rule;
      this.detector = detector;
      this.current =
          Alert.of(job, rule.name(), rule.severity(), AlertState.INACTIVE, 0, 0, Double.NaN, "");
    }

    void failed(RuntimeException ex) {
      healthy = false;
      errors++;
      lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    AlertChange step(Finding f, long iter, long ts) {
      lastIter = Math.max(lastIter, iter);
      if (f.isNone()) {
        return null; // the detector has no opinion on this event: nothing changes
      }
      AlertState state = current.state();
      if (f.active()) {
        switch (state) {
          case INACTIVE:
          case RESOLVED:
            if (state == AlertState.RESOLVED && coolingDown(iter, ts)) {
              return null;
            }
            pendingSinceIter = iter;
            pendingSinceTs = ts;
            return held(iter, ts) ? fire(f, iter, ts) : move(AlertState.PENDING, f, iter, ts);
          case PENDING:
            return held(iter, ts) ? fire(f, iter, ts) : null;
          default:
            return escalate(f, iter, ts);
        }
      }
      if (state == AlertState.FIRING) {
        resolvedAtIter = iter;
        resolvedAtTs = ts;
        rung = -1;
        return move(AlertState.RESOLVED, f, iter, ts);
      }
      if (state == AlertState.PENDING) {
        return move(AlertState.INACTIVE, f, iter, ts);
      }
      return null;
    }

    private boolean coolingDown(long iter, long ts) {
      return rule.cooldownMillis() > 0
          ? ts - resolvedAtTs < rule.cooldownMillis()
          : iter - resolvedAtIter < rule.cooldownIterations();
    }

    private boolean held(long iter, long ts) {
      return rule.forMillis() > 0
          ? ts - pendingSinceTs >= rule.forMillis()
          : iter - pendingSinceIter >= rule.forIterations();
    }

    private AlertChange fire(Finding f, long iter, long ts) {
      AlertState from = current.state();
      current = alert(AlertState.FIRING, f, iter, ts);
      if (rule.actions().isEmpty()) {
        return AlertChange.of(from, current);
      }
      rung = 0;
      rungIter = iter;
      return AlertChange.of(from, current, List.of(request(0)));
    }

    private AlertChange escalate(Finding f, long iter, long ts) {
      if (rung < 0 || rung + 1 >= rule.actions().size()
          || iter - rungIter < rule.escalateAfterIterations()) {
        return null;
      }
      rung++;
      rungIter = iter;
      current = alert(AlertState.FIRING, f, current.sinceIter(), current.sinceTs());
      return AlertChange.of(AlertState.FIRING, current, List.of(request(rung)));
    }

    private ActionRequest request(int i) {
      Map<String, Object> rungSpec = rule.actions().get(i);
      Map<String, Object> params = new java.util.LinkedHashMap<>(rungSpec);
      params.remove("do");
      return ActionRequest.of(rule.name(), i, (String) rungSpec.get("do"), params);
    }

    private AlertChange move(AlertState to, Finding f, long iter, long ts) {
      AlertState from = current.state();
      current = alert(to, f, iter, ts);
      return AlertChange.of(from, current);
    }

    private Alert alert(AlertState to, Finding f, long iter, long ts) {
      String evidence = f.active() ? f.evidence() : current.evidence();
      double value = f.active() || !Double.isNaN(f.value()) ? f.value() : current.value();
      return Alert.of(job, rule.name(), rule.severity(), to, iter, ts, value, evidence);
    }
  }
}
