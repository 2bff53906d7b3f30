package dev.traininghealth.rules.rule;

import java.util.List;
import java.util.Objects;

/**
 * An alert moved from one state to another, what the daemon exports and publishes; with the
 * actions the rule's ladder asks for. An escalation — the alert still firing, the last rung not
 * having helped — is a change from {@code firing} to {@code firing} that carries the next rung
 * ({@link #isEscalation()}).
 */
public final class AlertChange {
  private final AlertState from;
  private final Alert alert;
  private final List<ActionRequest> actions;

  private AlertChange(AlertState from, Alert alert, List<ActionRequest> actions) {
    this.from = Objects.requireNonNull(from, "from");
    this.alert = Objects.requireNonNull(alert, "alert");
    this.actions = List.copyOf(actions);
  }

  public static AlertChange of(AlertState from, Alert alert) {
    return new AlertChange(from, alert, List.of());
  }

  public static AlertChange of(AlertState from, Alert alert, List<ActionRequest> actions) {
    return new AlertChange(from, alert, actions);
  }

  /** What the rule's ladder asks to do now; empty for most changes. */
  public List<ActionRequest> actions() {
    return actions;
  }

  /** Whether this is a firing alert moving up its ladder rather than a change of state. */
  public boolean isEscalation() {
    return from == AlertState.FIRING && alert.state() == AlertState.FIRING;
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
    return alert.job() + "/" + alert.rule() + " " + from.wireName() + " -> " + to().wireName()
        + (actions.isEmpty() ? "" : " " + actions);
  }
}
