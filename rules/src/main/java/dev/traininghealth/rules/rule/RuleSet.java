package dev.traininghealth.rules.rule;

import dev.traininghealth.rules.detector.Detector;
import dev.traininghealth.rules.detector.DetectorCatalog;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** An immutable, validated list of rules with unique names. */
public final class RuleSet {
  /** Where the rules that ship with the product live on the class path. */
  public static final String DEFAULTS_RESOURCE = "dev/traininghealth/rules/default-rules.yaml";

  private final List<Rule> rules;

  private RuleSet(List<Rule> rules) {
    Set<String> names = new HashSet<>();
    for (Rule r : rules) {
      if (!names.add(r.name())) {
        throw new IllegalArgumentException("duplicate rule name '" + r.name() + "'");
      }
      newDetector(r); // fails here, not at the first event, for an unknown detector or param
    }
    this.rules = List.copyOf(rules);
  }

  public static RuleSet of(List<Rule> rules) {
    return new RuleSet(rules);
  }

  /** The rules that ship with the product, from {@link #DEFAULTS_RESOURCE}. */
  public static RuleSet defaults() {
    return Defaults.RULES;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** The rule called {@code name}, or {@code null}. */
  public Rule rule(String name) {
    for (Rule r : rules) {
      if (r.name().equals(name)) {
        return r;
      }
    }
    return null;
  }

  /** A fresh detector, with its own state, for one job under {@code rule}. */
  static Detector newDetector(Rule rule) {
    try {
      return DetectorCatalog.create(rule.detector(), rule.params());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("rule '" + rule.name() + "': " + e.getMessage(), e);
    }
  }

  /** Loaded once, on first use: a broken resource is a build error, so it fails loudly. */
  private static final class Defaults {
    static final RuleSet RULES = load();

    private static RuleSet load() {
      RuleLoadResult r = RuleFileLoader.loadResource(DEFAULTS_RESOURCE);
      if (!r.ok()) {
        throw new IllegalStateException("the default rules do not load: " + r.errors());
      }
      return r.ruleSet();
    }
  }
}
