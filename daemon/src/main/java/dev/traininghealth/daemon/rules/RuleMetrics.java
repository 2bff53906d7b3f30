package dev.traininghealth.daemon.rules;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/** How the rule files fare: rules in force and reloads by outcome. */
public final class RuleMetrics {
  public static final String RULES_LOADED = "th_rules_loaded";
  public static final String RULE_RELOADS_TOTAL = "th_rule_reloads_total";

  private final Gauge loaded;
  private final Counter reloads;

  public RuleMetrics(CollectorRegistry registry) {
    loaded =
        Gauge.build()
            .name(RULES_LOADED)
            .help("Rules in force: the defaults plus those of th.daemon.rules.dirs.")
            .register(registry);
    reloads =
        Counter.build()
            .name(RULE_RELOADS_TOTAL)
            .help("Loads of the rule directories, at start and after a change, by result"
                + " (success, failure: the old rules stay).")
            .labelNames("result")
            .register(registry);
  }

  void loaded(int rules) {
    loaded.set(rules);
  }

  void reload(boolean ok) {
    reloads.labels(ok ? "success" : "failure").inc();
  }
}
