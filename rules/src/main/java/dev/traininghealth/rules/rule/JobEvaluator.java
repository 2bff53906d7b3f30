package dev.traininghealth.rules.rule;

import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs a rule set over the events of one job and keeps each rule's alert lifecycle:
 * inactive → pending (condition holds) → firing (held for {@code for} evaluations) → resolved
 * (condition gone) → inactive again after the cooldown. Not thread-safe; one per job.
 */
public final class JobEvaluator {
  private final String job;
  private final List<Slot> slots = new ArrayList<>();

  public JobEvaluator(String job, RuleSet rules) {
    this.job = job;
    for (Rule r : rules.rules()) {
      slots.add(new Slot(r, RuleSet.newDetector(r)));
    }
  }

  public String job() {
    return job;
  }

  /** Feeds one event; returns the alerts whose state changed (often none). */
  public List<AlertChange> onEvent(Event e) {
    List<AlertChange> changes = null;
    for (Slot s : slots) {
      AlertChange c = s.step(s.detector.onEvent(e), e.iter(), e.header().ts());
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
    List<AlertChange> changes = new ArrayList<>();
    for (Slot s : slots) {
      AlertChange c = s.step(s.detector.onTick(nowMs), s.lastIter, nowMs);
      if (c != null) {
        changes.add(c);
      }
    }
    return changes;
  }

  /** Every rule's alert as it stands now. */
  public List<Alert> alerts() {
    List<Alert> out = new ArrayList<>(slots.size());
    for (Slot s : slots) {
      out.add(s.current);
    }
    return out;
  }

  private final class Slot {
    final Rule rule;
    final Detector detector;
    Alert current;
    long heldFor;
    long resolvedAtIter = Long.MIN_VALUE;
    long lastIter;

    Slot(Rule rule, Detector detector) {
      this.rule = rule;
      this.detector = detector;
      this.current = Alert.of(job, rule.name(), rule.severity(), AlertState.INACTIVE, 0, 0,
          Double.NaN, "");
    }

    AlertChange step(Finding f, long iter, long ts) {
      lastIter = iter;
      AlertState state = current.state();
      if (f.active()) {
        heldFor++;
        if (state == AlertState.RESOLVED
            && iter - resolvedAtIter < rule.cooldownIterations()) {
          return null; // still cooling down
        }
        if (state == AlertState.INACTIVE || state == AlertState.RESOLVED) {
          heldFor = 1;
          return move(heldFor > rule.forIterations() ? AlertState.FIRING : AlertState.PENDING,
              f, iter, ts);
        }
        if (state == AlertState.PENDING && heldFor > rule.forIterations()) {
          return move(AlertState.FIRING, f, iter, ts);
        }
        return null;
      }
      if (f.isNone()) {
        return null; // the detector has no opinion on this event: nothing changes
      }
      heldFor = 0;
      if (state == AlertState.FIRING) {
        resolvedAtIter = iter;
        return move(AlertState.RESOLVED, f, iter, ts);
      }
      if (state == AlertState.PENDING) {
        return move(AlertState.INACTIVE, f, iter, ts);
      }
      return null;
    }

    private AlertChange move(AlertState to, Finding f, long iter, long ts) {
      AlertState from = current.state();
      String evidence = f.active() ? f.evidence() : current.evidence();
      current = Alert.of(job, rule.name(), rule.severity(), to, iter, ts, f.value(), evidence);
      return AlertChange.of(from, current);
    }
  }
}
