package dev.traininghealth.rules.rule;

import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.NonFiniteDetector;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An immutable, validated list of rules with unique names. */
public final class RuleSet {
  private final List<Rule> rules;

  private RuleSet(List<Rule> rules) {
    Set<String> names = new HashSet<>();
    for (Rule r : rules) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("duplicate rule name '" + r.name() + "'");
      }
      newDetector(r); // fails here, not at the first event, for an unknown detector
    }
    this.rules = List.copyOf(rules);
  }

  public static RuleSet of(List<Rule> rules) {
    return new RuleSet(rules);
  }

  /** The rules that ship with the product. */
  public static RuleSet defaults() {
    return of(
        List.of(
            Rule.builder("nonfinite", "nonfinite")
                .severity(Severity.CRITICAL)
                .build()));
  }

  public List<Rule> rules() {
    return rules;
  }

  /** A fresh detector, with its own state, for one job under {@code rule}. */
  static Detector newDetector(Rule rule) {
    switch (rule.detector()) {
      case "nonfinite":
        return new NonFiniteDetector();
      default:
        throw new IllegalArgumentException(
            "rule '" + rule.name() + "': unknown detector '" + rule.detector() + "'");
    }
  }
}
