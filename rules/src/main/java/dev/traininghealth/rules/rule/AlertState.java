package dev.traininghealth.rules.rule;

import java.util.Locale;

/** Where an alert stands, as in Prometheus: pending until its {@code for} has passed. */
public enum AlertState {
  INACTIVE,
  PENDING,
  FIRING,
  RESOLVED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
