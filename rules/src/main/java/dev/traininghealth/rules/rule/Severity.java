package dev.traininghealth.rules.rule;

import java.util.Locale;

/** How urgent an alert is; on-call is paged for {@code CRITICAL}. */
public enum Severity {
  INFO,
  WARNING,
  CRITICAL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
