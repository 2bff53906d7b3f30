package dev.traininghealth.rules.rule;

import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.Finding;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a rule set over the events of one job and keeps each rule's alert lifecycle, as
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
public final class JobEvaluator {
  // Bits of a slot's flags: the event types its detector ignores (bit 1 << type.ordinal()),
  // then what the hot path needs to know of the slot without reading it.
  /** The alert is pending or firing: an all-clear changes it. */
  private static final int LIVE = 1 << 24;
  private static final int UNHEALTHY = 1 << 25;
  /**
   * The detector threw on an event higher than any it answered since, so the rule's last
   * iteration is its own ({@link #ownLastIters}), not the job's.
   */
  private static final int LAGGING = 1 << 26;
  /** The alert is firing with no rung left to escalate to: a finding that holds changes nothing. */
  private static final int STEADY = 1 << 27;
  /** The detector answers ticks (overrides {@link Detector#onTick}): only silence detectors do. */
  private static final int TICKS = 1 << 28;

  // A tick visits every job every second; with thousands of jobs, calling the ~15 detectors of
  // each that only inherit the default answer cost as much as evaluating the events did.
  private static final ClassValue<Boolean> ANSWERS_TICKS = new ClassValue<Boolean>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      try {
        return type.getMethod("onTick", long.class).getDeclaringClass() != Detector.class;
      } catch (NoSuchMethodException e) {
        return true; // cannot tell: ask it
      }
    }
  };

  static {
    if (EventType.values().length > 24) {
      throw new IllegalStateException("more event types than flag bits");
    }
  }

  private final String job;
  /** Each rule's alert lifecycle and its detector: what only changes when an alert does. */
  private final Slot[] slots;

  // What every event touches, one entry per rule, in three arrays next to each other rather
  // than in the slots: with thousands of jobs evaluation is memory-bound, and these few cache
  // lines are all an event reads beyond the detectors themselves while nothing changes. A healthy
  // stream writes none of them.
  private final Detector[] detectors;
  /** The detector's answer to its previous event, which it repeats for types it ignores. */
  private final Finding[] answers;
  private final int[] flags;

  /** The highest iteration of any event; each rule's unless it is LAGGING. */
  private long lastIter;
  /**
   * The highest iteration of the events a LAGGING slot's detector did not throw on (a slot's
   * silence alerts carry it); made on the first throw.
   */
  private long[] ownLastIters;

  public JobEvaluator(String job, RuleSet rules) {
    this(job, rules, RuleSet::newDetector);
  }

  /** With detectors from {@code detectors}: lets tests plant a failing one. */
  JobEvaluator(String job, RuleSet rules, Function<Rule, Detector> detectors) {
    this(job, newSlots(job, rules.rules(), detectors), null, null);
  }

  private static Slot[] newSlots(String job, List<Rule> rs, Function<Rule, Detector> detectors) {
    Slot[] slots = new Slot[rs.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(job, rs.get(i), detectors.apply(rs.get(i)));
    }
    return slots;
  }

  /**
   * Over {@code slots}; a slot that {@code from} has too (a rule kept across a reload) takes its
   * per-event state from there, at index {@code fromIndex[i]} (-1: a new slot).
   */
  private JobEvaluator(String job, Slot[] slots, JobEvaluator from, int[] fromIndex) {
    this.job = job;
    this.slots = slots;
    int n = slots.length;
    this.detectors = new Detector[n];
    this.answers = new Finding[n];
    this.flags = new int[n];
    this.lastIter = from == null ? 0 : from.lastIter;
    for (int i = 0; i < n; i++) {
      Detector d = slots[i].detector;
      detectors[i] = d;
      int f = ANSWERS_TICKS.get(d.getClass()) ? TICKS : 0;
      for (EventType t : EventType.values()) {
        if (d.ignores(t)) {
          f |= 1 << t.ordinal();
        }
      }
      int j = fromIndex == null ? -1 : fromIndex[i];
      if (j < 0) {
        answers[i] = Finding.none();
        flags[i] = f;
        if (lastIter != 0) {
          lag(i, 0); // a new rule's alerts count iterations from its first event
        }
      } else {
        answers[i] = from.answers[j];
        flags[i] = f | (from.flags[j] & (UNHEALTHY | LAGGING));
        if ((from.flags[j] & LAGGING) != 0) {
          lag(i, from.ownLastIters[j]);
        }
      }
      noteAlertState(i);
    }
  }

  private void lag(int i, long iter) {
    if (ownLastIters == null) {
      ownLastIters = new long[slots.length];
    }
    ownLastIters[i] = iter;
    flags[i] |= LAGGING;
  }

  private long lastIter(int i) {
    return (flags[i] & LAGGING) != 0 ? ownLastIters[i] : lastIter;
  }

  private void noteAlertState(int i) {
    Slot s = slots[i];
    AlertState state = s.current.state();
    int fl = flags[i] & ~(LIVE | STEADY);
    if (state == AlertState.PENDING || state == AlertState.FIRING) {
      fl |= LIVE;
    }
    if (state == AlertState.FIRING && !s.canEscalate()) {
      fl |= STEADY;
    }
    flags[i] = fl;
  }

  /**
   * This job under a new rule set, for a rules reload: a rule that is unchanged (equal
   * definition, same name) keeps its detector state, alert, cooldown and ladder position, so a
   * reload that touches one rule does not reset the others; a new or changed rule starts with a
   * fresh detector and an inactive alert. This evaluator is left as it was, so the caller can
   * compare {@link #alerts()} of both to retire the alerts of rules that went away or changed.
   */
  public JobEvaluator withRules(RuleSet rules) {
    List<Rule> rs = rules.rules();
    Slot[] next = new Slot[rs.size()];
    int[] fromIndex = new int[next.length];
    for (int i = 0; i < next.length; i++) {
      Rule r = rs.get(i);
      fromIndex[i] = -1;
      for (int j = 0; j < slots.length; j++) {
        if (slots[j].rule.equals(r)) {
          fromIndex[i] = j;
          break;
        }
      }
      next[i] = fromIndex[i] >= 0 ? slots[fromIndex[i]] : new Slot(job, r, RuleSet.newDetector(r));
    }
    return new JobEvaluator(job, next, this, fromIndex);
  }

  /** Whether {@code e} is an agent's report of a restart it applied (see {@code startOver}). */
  public static boolean isAppliedRestart(Event e) {
    if (e.type() != EventType.ACTION_RESULT) {
      return false;
    }
    ActionResult r = (ActionResult) e;
    return "restart".equals(r.action()) && r.outcome() == ActionResult.Outcome.APPLIED;
  }

  /**
   * This job with every rule started over (fresh detectors, alerts inactive, ladders and
   * cooldowns reset), for a run whose parameters were replaced by a restart: what the detectors
   * gathered (loss windows, the loss at the start, medians) describes a trajectory that is gone,
   * and an alert that stays up across the restart could never fire its ladder again for the new
   * one (a bad fresh draw of the zoo's 1-2-1 ReLU stayed blind, so its alert never resolved and
   * its one-rung ladder was spent). Returns the changes that retire this evaluator's live alerts
   * (firing to resolved, pending to inactive) with evidence naming the restart {@code r}; the
   * new evaluator, already fed {@code r}, is {@code next[0]}.
   */
  public List<AlertChange> startOver(ActionResult r, JobEvaluator[] next) {
    List<AlertChange> retired = retireAndStartOver(r.iter(), r.header().ts(),
        Alert.RETIRED + "the run was restarted at iteration " + r.iter() + " (command " + r.commandId()
            + "); the rule starts over on the new trajectory", next);
    next[0].onEvent(r);
    return retired;
  }

  private List<AlertChange> retireAndStartOver(long iter, long ts, String evidence,
      JobEvaluator[] next) {
    List<Rule> rules = new ArrayList<>(slots.length);
    List<AlertChange> retired = new ArrayList<>(2);
    for (Slot s : slots) {
      rules.add(s.rule);
      Alert a = s.current;
      if (a.state() == AlertState.FIRING || a.state() == AlertState.PENDING) {
        AlertState to = a.state() == AlertState.FIRING ? AlertState.RESOLVED : AlertState.INACTIVE;
        retired.add(AlertChange.of(a.state(), Alert.of(job, a.rule(), a.severity(), to,
            iter, ts, a.value(), evidence)));
      }
    }
    next[0] = new JobEvaluator(job, newSlots(job, rules, RuleSet::newDetector), null, null);
    return retired;
  }

  public String job() {
    return job;
  }

  /** Feeds one event; returns the alerts whose state changed (often none). */
  public List<AlertChange> onEvent(Event e) {
    List<AlertChange> changes = null;
    long iter = e.iter();
    long ts = e.header().ts();
    int typeBit = 1 << e.type().ordinal();
    long before = lastIter;
    long after = Math.max(before, iter);
    for (int i = 0; i < detectors.length; i++) {
      int fl = flags[i];
      Finding f;
      if ((fl & typeBit) != 0) {
        f = answers[i]; // what the detector would say again, without asking it
      } else {
        try {
          f = detectors[i].onEvent(e);
        } catch (RuntimeException ex) {
          flags[i] |= UNHEALTHY;
          slots[i].failed(ex);
          if ((fl & LAGGING) == 0) {
            lag(i, before); // this event does not count for the rule's last iteration
          }
          continue;
        }
        if (answers[i] != f) {
          answers[i] = f; // mostly the same shared finding again: spare the GC's write barrier
        }
      }
      if ((fl & (UNHEALTHY | LAGGING)) != 0) {
        recovered(i, iter, after);
      }
      if (f.isNone() || (f.active() ? (fl & STEADY) != 0 : (fl & LIVE) == 0)) {
        // No information, a condition that holds for an alert that fires already and has
        // nothing to escalate to, or all clear for an alert that is not up: nothing changes.
        continue;
      }
      AlertChange c = step(i, f, iter, ts);
      if (c != null) {
        if (changes == null) {
          changes = new ArrayList<>(2);
        }
        changes.add(c);
      }
    }
    lastIter = after;
    return changes == null ? Collections.emptyList() : changes;
  }

  /** Slot {@code i}'s detector answered an event of {@code iter} after having thrown. */
  private void recovered(int i, long iter, long after) {
    flags[i] &= ~UNHEALTHY;
    if ((flags[i] & LAGGING) != 0) {
      ownLastIters[i] = Math.max(ownLastIters[i], iter);
      if (ownLastIters[i] >= after) {
        flags[i] &= ~LAGGING; // caught up: no event it missed is higher than what it saw
      }
    }
  }

  private AlertChange step(int i, Finding f, long iter, long ts) {
    AlertChange c = slots[i].step(f, iter, ts);
    noteAlertState(i);
    return c;
  }

  /** Lets time pass (for silence detectors); returns the alerts whose state changed. */
  public List<AlertChange> onTick(long nowMs) {
    List<AlertChange> changes = null;
    for (int i = 0; i < detectors.length; i++) {
      int fl = flags[i];
      if ((fl & TICKS) == 0) {
        // The default onTick: no finding, which changes no alert; only the rule's health.
        flags[i] = fl & ~UNHEALTHY;
        continue;
      }
      Finding f;
      try {
        f = detectors[i].onTick(nowMs);
        flags[i] &= ~UNHEALTHY;
      } catch (RuntimeException ex) {
        flags[i] |= UNHEALTHY;
        slots[i].failed(ex);
        continue;
      }
      AlertChange c = step(i, f, lastIter(i), nowMs);
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
    for (int i = 0; i < slots.length; i++) {
      Slot s = slots[i];
      out.add(RuleHealth.of(s.rule.name(), (flags[i] & UNHEALTHY) == 0, s.errors, s.lastError));
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
    int rung = -1;
    long rungIter;
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
      errors++;
      lastError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
    }

    AlertChange step(Finding f, long iter, long ts) {
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

    /** Whether a firing alert may still ask for another rung of its ladder. */
    boolean canEscalate() {
      return rung >= 0 && rung + 1 < rule.actions().size();
    }

    private AlertChange escalate(Finding f, long iter, long ts) {
      if (!canEscalate() || iter - rungIter < rule.escalateAfterIterations()) {
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
