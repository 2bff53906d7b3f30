package dev.traininghealth.rules.rule;

import java.util.Objects;

/** An alert moved from one state to another; what the daemon exports and publishes. */
public final class AlertChange {
  private final AlertState from;
  private final Alert alert;

  private AlertChange(AlertState from, Alert alert) {
    this.from = Objects.requireNonNull(from, "from");
    this.alert = Objects.requireNonNull(alert, "alert");
  }

  public static AlertChange of(AlertState from, Alert alert) {
    return new AlertChange(from, alert);
  }

  public AlertState from() {
    return from;
  }

  public AlertState to() {
    return alert.state();
  }

  /** The alert in its new state. */
  public Alert alert() {
    return alert;
  }

  @Override
  public String toString() {
    return alert.job() + "/" + alert.rule() + " " + from.wireName() + " -> " + to().wireName();
  }
}
