package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.util.Map;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class RollbackTest {

  private static INDArray state(ActionHarness h) {
    return ((BaseMultiLayerUpdater<?>) h.net.getUpdater()).getStateViewArray();
  }

  @Test
  void restoresBitIdenticalParametersAndUpdaterStateOfTheSnapshot() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(5))) {
      h.steps(11); // iterations 0..10; a snapshot at the boundary of 10
      INDArray params10 = h.net.params().dup();
      INDArray state10 = state(h).dup();
      h.steps(3); // 11 confirms it; 12, 13 move on
      assertNotEquals(params10, h.net.params());
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("end of iteration 10"), r.reason());
      assertEquals(params10, h.net.params());
      assertEquals(state10, state(h));
    }
  }

  @Test
  void rollsBackPastANonFiniteStepToTheLastGoodSnapshot() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(1))) {
      h.steps(5);
      INDArray good = h.net.params().dup(); // snapshot of iteration 4, confirmed by 5's loss
      h.step();
      // The parameters turn NaN after iteration 5: its snapshot is never confirmed (6's loss is
      // NaN), so the last good one is 4's.
      h.net.params().putScalar(0, Double.NaN);
      h.steps(3);
      assertTrue(Double.isNaN(h.net.score()));
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("end of iteration 4"), r.reason());
      assertEquals(good, h.net.params(), r.reason());
      h.steps(3);
      assertTrue(Double.isFinite(h.net.score()), "training goes on from the good state");
    }
  }

  @Test
  void rollbackBeforeAnIterationPicksAnOlderSnapshot() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(2).rollbackKeep(3))) {
      h.steps(5); // snapshots at 0, 2, 4 (4 pending until 5)
      h.steps(2);
      ActionResult r = h.apply("rollback", Map.of("before", 4L));
      assertTrue(r.reason().contains("end of iteration 2"), r.reason());
    }
  }

  @Test
  void skipsCopiesTakenWhileTheLossRanAway() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(2).rollbackKeep(3))) {
      h.steps(6); // iterations 0..5: copies 0, 2, 4, all good (loss about ln 3)
      h.net.params().muli(1000); // logits in the thousands: finite, and far above the copies' loss
      h.steps(6); // copies 6, 8, 10 come out finite but huge
      assertTrue(h.net.score() > 10 * Math.log(3), "the loss ran away: " + h.net.score());
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("end of iteration 4"), r.reason());
      h.steps(2);
      assertTrue(h.net.score() < 2, "back where it was: " + h.net.score());
    }
  }

  @Test
  void acceptsCopiesAgainOnceTheLossStayedHigh() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(1).rollbackKeep(2))) {
      h.steps(3);
      h.net.params().muli(1000);
      h.steps(RollbackSnapshots.PATIENCE + 4); // iterations 3..; copy 3 is the first refused
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      // PATIENCE refusals (copies 3..12), then copies from 13 on count again.
      assertTrue(r.reason().matches(".*end of iteration 1[3-9].*"), r.reason());
    }
  }

  @Test
  void failsWithAReasonWhenSnapshotsAreOff() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder().rollbackEvery(0))) {
      h.steps(3);
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.FAILED, r.outcome());
      assertTrue(r.reason().contains("actions.rollback.every=0"), r.reason());
    }
  }
}
