package dev.traininghealth.rules.rule;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rule: a detector with its parameters, the severity of the alert, how long the condition
 * must hold before it fires ({@code for}, in iterations or milliseconds), how long after it
 * resolves it may not fire again ({@code cooldown}, likewise), and its action ladder with the
 * iterations a rung is given to help before the next is tried ({@code escalate_after}).
 */
public final class Rule {
  /** Iterations a rung gets before the next one is asked for, unless the rule says otherwise. */
  public static final long DEFAULT_ESCALATE_AFTER = 100;

  private final String name;
  private final String detector;
  private final Map<String, Object> params;
  private final Severity severity;
  private final long forIterations;
  private final long forMillis;
  private final long cooldownIterations;
  private final long cooldownMillis;
  private final long escalateAfterIterations;
  private final List<Map<String, Object>> actions;
  private final String description;

  private Rule(Builder b) {
    this.name = requireName(b.name);
    this.detector = Objects.requireNonNull(b.detector, "detector");
    this.params = Map.copyOf(b.params);
    this.severity = Objects.requireNonNull(b.severity, "severity");
    if (b.forIterations < 0 || b.cooldownIterations < 0 || b.forMillis < 0
        || b.cooldownMillis < 0) {
      throw new IllegalArgumentException("for and cooldown must be >= 0");
    }
    if (b.escalateAfterIterations < 1) {
      throw new IllegalArgumentException("escalate_after must be >= 1 iteration");
    }
    this.forIterations = b.forIterations;
    this.forMillis = b.forMillis;
    this.cooldownIterations = b.cooldownIterations;
    this.cooldownMillis = b.cooldownMillis;
    this.escalateAfterIterations = b.escalateAfterIterations;
    for (Map<String, Object> rung : b.actions) {
      Object action = rung.get("do");
      if (!(action instanceof String) || !Actions.isKnown((String) action)) {
        throw new IllegalArgumentException(
            "rule '" + b.name + "': unknown action '" + action + "' (known: " + Actions.NAMES
                + ")");
      }
    }
    this.actions = List.copyOf(b.actions);
    this.description = b.description == null ? "" : b.description;
  }

  private static String requireName(String name) {
    if (name == null || !isValidName(name)) {
      throw new IllegalArgumentException(
          "rule name must start with a letter and hold at most 64 letters, digits, '_', '.', '-':"
              + " " + name);
    }
    return name;
  }

  static boolean isValidName(String name) {
    return name.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}");
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

  /**
   * Iterations the condition must hold before the alert fires; 0 fires at once. Ignored when
   * {@link #forMillis()} is set.
   */
  public long forIterations() {
    return forIterations;
  }

  /** Milliseconds the condition must hold before the alert fires; 0 when {@code for} counts iterations. */
  public long forMillis() {
    return forMillis;
  }

  public long cooldownIterations() {
    return cooldownIterations;
  }

  /** Milliseconds after resolving before the alert may go pending again; 0 when counted in iterations. */
  public long cooldownMillis() {
    return cooldownMillis;
  }

  /** Iterations a rung of the ladder is given before the next one is asked for. */
  public long escalateAfterIterations() {
    return escalateAfterIterations;
  }

  /** The action ladder, each rung a map with at least {@code do}. */
  public List<Map<String, Object>> actions() {
    return actions;
  }

  /** What the alert means and what to do about it, for a person; may be empty. */
  public String description() {
    return description;
  }

  /** Same name, detector, parameters, severity, timing, actions and description. */
  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Rule)) {
      return false;
    }
    Rule r = (Rule) o;
    return name.equals(r.name) && detector.equals(r.detector) && params.equals(r.params)
        && severity == r.severity && forIterations == r.forIterations
        && forMillis == r.forMillis && cooldownIterations == r.cooldownIterations
        && cooldownMillis == r.cooldownMillis
        && escalateAfterIterations == r.escalateAfterIterations && actions.equals(r.actions)
        && description.equals(r.description);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, detector, params, severity, forIterations, forMillis,
        cooldownIterations, cooldownMillis, escalateAfterIterations, actions);
  }

  @Override
  public String toString() {
    return "Rule{" + name + ": " + detector + params + ", " + severity.name().toLowerCase(
        java.util.Locale.ROOT) + "}";
  }

  /** Collects the fields of a {@link Rule}. */
  public static final class Builder {
    private final String name;
    private final String detector;
    private Map<String, Object> params = Map.of();
    private Severity severity = Severity.WARNING;
    private long forIterations;
    private long forMillis;
    private long cooldownIterations;
    private long cooldownMillis;
    private long escalateAfterIterations = DEFAULT_ESCALATE_AFTER;
    private List<Map<String, Object>> actions = List.of();
    private String description = "";

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
      this.forMillis = 0;
      return this;
    }

    public Builder forMillis(long v) {
      this.forMillis = v;
      this.forIterations = 0;
      return this;
    }

    public Builder cooldownIterations(long v) {
      this.cooldownIterations = v;
      this.cooldownMillis = 0;
      return this;
    }

    public Builder cooldownMillis(long v) {
      this.cooldownMillis = v;
      this.cooldownIterations = 0;
      return this;
    }

    public Builder escalateAfterIterations(long v) {
      this.escalateAfterIterations = v;
      return this;
    }

    public Builder actions(List<Map<String, Object>> v) {
      this.actions = v;
      return this;
    }

    public Builder description(String v) {
      this.description = v;
      return this;
    }

    public Rule build() {
      return new Rule(this);
    }
  }
}
