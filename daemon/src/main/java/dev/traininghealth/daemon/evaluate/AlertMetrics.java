package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/**
 * Alerts on /metrics. Per-job series exist only for alerts that have left {@code inactive} at
 * least once, as Prometheus' own {@code ALERTS} series do, so that a rule set of many rules over
 * many jobs does not export a series per pair that never fired.
 */
public final class AlertMetrics {
  public static final String ALERTS_FIRING = "th_alerts_firing";
  public static final String ALERT_STATE = "th_alert_state";
  public static final String ALERT_TRANSITIONS_TOTAL = "th_alert_transitions_total";

  private final Gauge firing;
  private final Gauge state;
  private final Counter transitions;

  public AlertMetrics(CollectorRegistry registry) {
    firing =
        Gauge.build()
            .name(ALERTS_FIRING)
            .help("1 while the job's alert of this rule is firing, else 0.")
            .labelNames("job", "rule", "severity")
            .register(registry);
    state =
        Gauge.build()
            .name(ALERT_STATE)
            .help("1 for the state the job's alert of this rule is in (pending, firing,"
                + " resolved); no series while it is inactive.")
            .labelNames("job", "rule", "severity", "state")
            .register(registry);
    transitions =
        Counter.build()
            .name(ALERT_TRANSITIONS_TOTAL)
            .help("Alert state changes over all jobs, by rule, severity and new state.")
            .labelNames("rule", "severity", "to")
            .register(registry);
  }

  /** Records and counts a change; per-job series only when the job is exported. */
  void changed(AlertChange c, boolean exported) {
    changed(c, exported, true);
  }

  /**
   * Records a change; per-job series only when the job is exported. {@code count}: false for a
   * change computed while replaying, which the earlier owner of the job counted already.
   */
  void changed(AlertChange c, boolean exported, boolean count) {
    Alert a = c.alert();
    String severity = a.severity().wireName();
    if (count) {
      transitions.labels(a.rule(), severity, c.to().wireName()).inc();
    }
    if (!exported) {
      return;
    }
    firing.labels(a.job(), a.rule(), severity).set(c.to() == AlertState.FIRING ? 1 : 0);
    state.remove(a.job(), a.rule(), severity, c.from().wireName());
    if (c.to() != AlertState.INACTIVE) {
      state.labels(a.job(), a.rule(), severity, c.to().wireName()).set(1);
    }
  }

  /** Removes the series of an evicted job. */
  void removeJob(Iterable<Alert> alerts) {
    for (Alert a : alerts) {
      String severity = a.severity().wireName();
      firing.remove(a.job(), a.rule(), severity);
      for (AlertState s : AlertState.values()) {
        state.remove(a.job(), a.rule(), severity, s.wireName());
      }
    }
  }
}
