package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class StopTest {

  @Test
  void stopFreezesTheParametersAndRaisesTheFlag() {
    Set<String> allow = new java.util.HashSet<>(ActionSettings.DEFAULT_ALLOW);
    allow.add("stop");
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().allow(allow))) {
      h.steps(3);
      ActionResult r = h.apply("stop", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(h.executor.stopRequested());
      INDArray frozen = h.net.params().dup();
      h.steps(5);
      assertEquals(frozen, h.net.params(), "no step moves the parameters after stop");
      ActionResult kick = h.apply("lr_kick", Map.of("factor", 10.0));
      assertEquals(Outcome.FAILED, kick.outcome());
      assertTrue(kick.reason().contains("stopped"), kick.reason());
      assertEquals(0.0, h.executor.learningRateFactor());
    }
  }
}
