package dev.traininghealth.rules.rule;

import java.util.List;

/**
 * The outcome of loading rule files, all or nothing: either a rule set and no errors, or every
 * error found and no rule set (so the daemon keeps the rules it had).
 */
public final class RuleLoadResult {
  private final RuleSet ruleSet;
  private final List<RuleError> errors;

  private RuleLoadResult(RuleSet ruleSet, List<RuleError> errors) {
    this.ruleSet = ruleSet;
    this.errors = List.copyOf(errors);
  }

  static RuleLoadResult success(RuleSet rules) {
    return new RuleLoadResult(rules, List.of());
  }

  static RuleLoadResult failure(List<RuleError> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("a failure needs at least one error");
    }
    return new RuleLoadResult(null, errors);
  }

  public boolean ok() {
    return ruleSet != null;
  }

  /** The rules; throws {@link IllegalStateException} listing the errors when loading failed. */
  public RuleSet ruleSet() {
    if (ruleSet == null) {
      throw new IllegalStateException("rules did not load: " + errors);
    }
    return ruleSet;
  }

  /** Every problem found, file by file, rule by rule; empty when {@link #ok()}. */
  public List<RuleError> errors() {
    return errors;
  }

  /** The errors one per line, for a log or a terminal. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    for (RuleError e : errors) {
      b.append(e).append('\n');
    }
    return b.toString();
  }
}
