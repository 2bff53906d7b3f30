package dev.traininghealth.rules.rule;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rule: a detector with its parameters, the severity of the alert, how many consecutive
 * iterations the condition must hold before it fires ({@code for}), how many iterations must
 * pass after it resolves before it may fire again ({@code cooldown}), and its action ladder.
 */
public final class Rule {
  private final String name;
  private final String detector;
  private final Map<String, Object> params;
  private final Severity severity;
  private final long forIterations;
  private final long cooldownIterations;
  private final List<Map<String, Object>> actions;

  private Rule(Builder b) {
    this.name = requireName(b.name);
    this.detector = Objects.requireNonNull(b.detector, "detector");
    this.params = Map.copyOf(b.params);
    this.severity = Objects.requireNonNull(b.severity, "severity");
    if (b.forIterations < 0 || b.cooldownIterations < 0) {
      throw new IllegalArgumentException("for and cooldown must be >= 0");
    }
    this.forIterations = b.forIterations;
    this.cooldownIterations = b.cooldownIterations;
    this.actions = List.copyOf(b.actions);
  }

  private static String requireName(String name) {
    if (name == null || !name.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}")) {
      throw new IllegalArgumentException(
          "rule name must start with a letter and hold at most 64 letters, digits, '_', '.', '-':"
              + " " + name);
    }
    return name;
  }

  public static Builder builder(String name, String detector) {
    return new Builder(name, detector);
  }

  public String name() {
    return name;
  }

  public String detector() {
    return detector;
  }

  public Map<String, Object> params() {
    return params;
  }

  public Severity severity() {
    return severity;
  }

  /** Consecutive evaluations the condition must hold before the alert fires; 0 fires at once. */
  public long forIterations() {
    return forIterations;
  }

  public long cooldownIterations() {
    return cooldownIterations;
  }

  /** The action ladder, each rung a map with at least {@code do}. */
  public List<Map<String, Object>> actions() {
    return actions;
  }

  /** Collects the fields of a {@link Rule}. */
  public static final class Builder {
    private final String name;
    private final String detector;
    private Map<String, Object> params = Map.of();
    private Severity severity = Severity.WARNING;
    private long forIterations;
    private long cooldownIterations;
    private List<Map<String, Object>> actions = List.of();

    private Builder(String name, String detector) {
      this.name = name;
      this.detector = detector;
    }

    public Builder params(Map<String, Object> v) {
      this.params = v;
      return this;
    }

    public Builder severity(Severity v) {
      this.severity = v;
      return this;
    }

    public Builder forIterations(long v) {
      this.forIterations = v;
      return this;
    }

    public Builder cooldownIterations(long v) {
      this.cooldownIterations = v;
      return this;
    }

    public Builder actions(List<Map<String, Object>> v) {
      this.actions = v;
      return this;
    }

    public Rule build() {
      return new Rule(this);
    }
  }
}
