package dev.traininghealth.rules.rule;

import java.util.Objects;

/**
 * How one rule's evaluation went for one job, as Prometheus reports rule health: whether the last
 * evaluation succeeded, how many failed so far, and the last failure's message.
 */
public final class RuleHealth {
  private final String rule;
  private final boolean healthy;
  private final long errors;
  private final String lastError;

  private RuleHealth(String rule, boolean healthy, long errors, String lastError) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.healthy = healthy;
    this.errors = errors;
    this.lastError = lastError == null ? "" : lastError;
  }

  public static RuleHealth of(String rule, boolean healthy, long errors, String lastError) {
    return new RuleHealth(rule, healthy, errors, lastError);
  }

  public String rule() {
    return rule;
  }

  /** Whether the detector's last evaluation returned normally. */
  public boolean healthy() {
    return healthy;
  }

  /** Evaluations that threw, since the evaluator was made. */
  public long errors() {
    return errors;
  }

  /** The last exception, as class and message; empty if none. */
  public String lastError() {
    return lastError;
  }

  @Override
  public String toString() {
    return rule + (healthy ? " ok" : " unhealthy") + " errors=" + errors
        + (lastError.isEmpty() ? "" : " last=" + lastError);
  }
}
