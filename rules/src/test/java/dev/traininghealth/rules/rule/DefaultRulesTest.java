package dev.traininghealth.rules.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultRulesTest {
  @Test
  void defaultsLoadFromTheResourceAndKeepTheNonFiniteRule() {
    RuleSet d = RuleSet.defaults();
    Rule nonfinite = d.rule("nonfinite");
    assertNotNull(nonfinite);
    assertEquals(Severity.CRITICAL, nonfinite.severity());
    assertTrue(d.rules().size() >= 13, "rules: " + d.rules().size());
  }

  @Test
  void healthyRunRaisesNothing() {
    List<AlertChange> changes = run(new Synthetic("healthy", 1).healthyRun(3000));
    assertEquals(List.of(), changes);
  }

  /**
   * Full-batch-like training at the edge of stability: sharpness hovers at 2/eta (ratio 0.95 to
   * 1.05) while the loss keeps falling. Only the information rule may say so.
   */
  @Test
  void edgeOfStabilityWithFallingLossIsInformationOnly() {
    Synthetic s = new Synthetic("eos", 2);
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 100_000));
    for (int t = 1; t <= 3000; t++) {
      events.add(s.healthy(t));
      if (t % 20 == 0) {
        double lambda = 2 / Synthetic.LR * (1 + 0.05 * Math.sin(t / 60.0));
        events.add(s.curvature(t, lambda, -0.001, Double.NaN));
      }
    }
    List<AlertChange> changes = run(events);
    for (AlertChange c : changes) {
      assertEquals(Severity.INFO, c.alert().severity(), c.toString());
      assertEquals("edge-of-stability", c.alert().rule(), c.toString());
    }
    assertTrue(changes.stream().anyMatch(c -> c.to() == AlertState.FIRING), "info fired");
  }

  private static List<AlertChange> run(List<Event> events) {
    JobEvaluator ev = new JobEvaluator("j", RuleSet.defaults());
    List<AlertChange> all = new ArrayList<>();
    for (Event e : events) {
      all.addAll(ev.onEvent(e));
    }
    all.addAll(ev.onTick(events.get(events.size() - 1).header().ts() + 1000));
    return all;
  }
}
