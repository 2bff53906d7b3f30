package dev.traininghealth.daemon.act;

import dev.traininghealth.rules.command.Command;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/**
 * What the act verticle counts. Labels are bounded: actions and outcomes come from fixed sets
 * (anything else an agent reports is {@code unknown}), reasons from {@link NotSent}; {@code job}
 * is bounded by the per-job action budget times the jobs that ever get an action.
 */
public final class ActionMetrics {
  public static final String SENT_TOTAL = "th_actions_sent_total";
  public static final String RESULTS_TOTAL = "th_action_results_total";
  public static final String NOT_SENT_TOTAL = "th_actions_not_sent_total";

  private final Counter sent;
  private final Counter results;
  private final Counter notSent;

  public ActionMetrics(CollectorRegistry registry) {
    sent =
        Counter.build()
            .name(SENT_TOTAL)
            .help("Signed commands written to th.commands, by job, action and source (rule|api).")
            .labelNames("job", "action", "source")
            .register(registry);
    results =
        Counter.build()
            .name(RESULTS_TOTAL)
            .help("action_result events from agents, by action and outcome"
                + " (applied|rejected|expired|failed).")
            .labelNames("action", "outcome")
            .register(registry);
    notSent =
        Counter.build()
            .name(NOT_SENT_TOTAL)
            .help("Actions asked for but not sent, by reason.")
            .labelNames("reason")
            .register(registry);
  }

  void sent(ActionRecord r) {
    sent.labels(r.job(), r.action(), r.source().wireName()).inc();
  }

  void result(String action, String outcome) {
    results.labels(Command.ACTIONS.contains(action) ? action : "unknown", outcome).inc();
  }

  void notSent(NotSent reason) {
    notSent.labels(reason.label()).inc();
  }
}
