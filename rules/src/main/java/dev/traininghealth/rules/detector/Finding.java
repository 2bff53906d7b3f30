package dev.traininghealth.rules.detector;

import java.util.Objects;

/**
 * A detector's answer after an event or a tick: whether the condition holds, the value it
 * measured, and a sentence of evidence for the person who gets the alert.
 */
public final class Finding {
  private static final Finding NONE = new Finding(false, Double.NaN, "");
  private static final Finding CLEAR = new Finding(false, Double.NaN, "");

  private final boolean active;
  private final double value;
  private final String evidence;

  private Finding(boolean active, double value, String evidence) {
    this.active = active;
    this.value = value;
    this.evidence = Objects.requireNonNull(evidence, "evidence");
  }

  /** No information: the event or tick said nothing about the condition; alerts stay as they are. */
  public static Finding none() {
    return NONE;
  }

  /**
   * The condition does not hold, with no value worth reporting: a shared instance, so detectors
   * answer a healthy stream without allocating.
   */
  public static Finding clear() {
    return CLEAR;
  }

  /** The condition does not hold; {@code value} is what was measured. */
  public static Finding clear(double value) {
    return new Finding(false, value, "");
  }

  /** The condition holds. */
  public static Finding active(double value, String evidence) {
    return new Finding(true, value, evidence);
  }

  /** Whether this is {@link #none()}: no information, as opposed to a measured all-clear. */
  public boolean isNone() {
    return this == NONE;
  }

  public boolean active() {
    return active;
  }

  public double value() {
    return value;
  }

  public String evidence() {
    return evidence;
  }

  @Override
  public String toString() {
    return active ? "active(" + value + ": " + evidence + ")" : "clear(" + value + ")";
  }
}
