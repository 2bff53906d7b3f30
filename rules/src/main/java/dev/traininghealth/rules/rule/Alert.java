package dev.traininghealth.rules.rule;

import java.util.Objects;

/** The state of one rule's alert for one job, at one moment. */
public final class Alert {
  private final String job;
  private final String rule;
  private final Severity severity;
  private final AlertState state;
  private final long sinceIter;
  private final long sinceTs;
  private final double value;
  private final String evidence;

  private Alert(String job, String rule, Severity severity, AlertState state, long sinceIter,
      long sinceTs, double value, String evidence) {
    this.job = Objects.requireNonNull(job, "job");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.severity = Objects.requireNonNull(severity, "severity");
    this.state = Objects.requireNonNull(state, "state");
    this.sinceIter = sinceIter;
    this.sinceTs = sinceTs;
    this.value = value;
    this.evidence = evidence == null ? "" : evidence;
  }

  /**
   * How the evidence of an alert retired without its condition clearing begins (its rule changed
   * in a reload, or the run was restarted): the resolution says nothing of whether an action
   * helped.
   */
  public static final String RETIRED = "retired: ";

  public static Alert of(String job, String rule, Severity severity, AlertState state,
      long sinceIter, long sinceTs, double value, String evidence) {
    return new Alert(job, rule, severity, state, sinceIter, sinceTs, value, evidence);
  }

  public String job() {
    return job;
  }

  public String rule() {
    return rule;
  }

  public Severity severity() {
    return severity;
  }

  public AlertState state() {
    return state;
  }

  /** Iteration at which the alert entered its current state. */
  public long sinceIter() {
    return sinceIter;
  }

  /** Time (epoch ms) at which the alert entered its current state. */
  public long sinceTs() {
    return sinceTs;
  }

  /** The detector's value when the state last changed. */
  public double value() {
    return value;
  }

  public String evidence() {
    return evidence;
  }

  @Override
  public String toString() {
    return job + "/" + rule + " " + state.wireName() + " since iter " + sinceIter + ": " + evidence;
  }
}
