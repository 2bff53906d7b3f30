package dev.traininghealth.daemon.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.AlertState;
import dev.traininghealth.rules.rule.RuleSet;
import io.prometheus.client.CollectorRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartStartOverTest {
  private final CollectorRegistry registry = new CollectorRegistry(true);
  private final JobStore store = new JobStore(RuleSet.defaults(), 10, 16,
      new JobMetrics(registry, 10), new AlertMetrics(registry));

  private static Header header(long iter) {
    return Header.of("job", "r", iter, 1000 + iter, iter, 0, null);
  }

  private List<AlertChange> feed(Event e) {
    return store.touch("job", 0).onEvent(e, 0);
  }

  private List<AlertChange> loss(long iter, double loss) {
    return feed(Iteration.builder(header(iter)).loss(loss).build());
  }

  private static AlertChange nonfinite(List<AlertChange> changes) {
    return changes.stream().filter(c -> c.alert().rule().equals("nonfinite")).findFirst()
        .orElse(null);
  }

  @Test
  void anAppliedRestartRetiresTheAlertsAndTheRulesStartOver() {
    AlertChange fired = nonfinite(loss(1, Double.NaN));
    assertEquals(AlertState.FIRING, fired.to());
    assertFalse(fired.actions().isEmpty(), "the ladder's first rung");
    assertTrue(loss(2, Double.NaN).isEmpty(), "still firing: nothing changes");

    List<AlertChange> retired = feed(ActionResult.of(header(3), "c1", "restart",
        ActionResult.Outcome.APPLIED, "restarted from a fresh initialisation"));
    AlertChange resolved = nonfinite(retired);
    assertEquals(AlertState.RESOLVED, resolved.to());
    assertTrue(resolved.alert().evidence().contains("restarted at iteration 3"),
        resolved.alert().evidence());

    // The new trajectory goes bad too: the alert fires again, with its ladder from the top.
    AlertChange again = nonfinite(loss(4, Double.NaN));
    assertEquals(AlertState.FIRING, again.to());
    assertEquals(0, again.actions().get(0).rung());
  }

  @Test
  void aRestartThatWasNotAppliedChangesNothing() {
    loss(1, Double.NaN);
    assertTrue(feed(ActionResult.of(header(2), "c1", "restart", ActionResult.Outcome.FAILED,
        "no checkpoint")).isEmpty());
    assertTrue(loss(3, Double.NaN).isEmpty(), "the alert is still the one that fired");
  }
}
