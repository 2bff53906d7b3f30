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
  void autoCadenceRollsBackOnlyAFewStepsOfASmallNet() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.steps(30);
      ActionResult r = h.apply("rollback", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      int at = Integer.parseInt(r.reason().replaceAll(".*end of iteration (\\d+);.*", "$1"));
      // A copy every 10th would give 20; a copy of this net costs a few microseconds.
      assertTrue(at > 20, r.reason());
    }
  }

  @Test
  void autoCadenceSpacesCopiesThatCostMoreThanOnePercentOfAStep() {
    RollbackSnapshots s = new RollbackSnapshots(ActionSettings.ROLLBACK_AUTO, 2);
    assertEquals(1, s.cadence(), "nothing measured yet: copy every iteration");
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      for (int i = 0; i < 5; i++) {
        s.atBoundary(h.net, i, 1.0); // back to back: the step is about as long as the copy
      }
      assertTrue(s.cadence() > 10, "a copy as long as a step is spaced out: " + s.cadence());
      assertTrue(s.cadence() <= RollbackSnapshots.AUTO_MAX_EVERY);
    }
  }

  @Test
  void restoresTheNewestCopyTakenBeforeTheLossClimbed() {
    RollbackSnapshots s = new RollbackSnapshots(1, 8);
    double[] losses = {1.0, 0.9, 0.8, 0.8, 1.2, 1.7, 3.0, 6.0}; // confirms copies 0..7
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      s.atBoundary(h.net, 0, Double.NaN);
      for (int i = 1; i <= losses.length; i++) {
        s.atBoundary(h.net, i, losses[i - 1]);
      }
      // The lowest is 0.8 (copies 2, 3); 5's 1.7 is the newest within twice that.
      assertEquals(4, s.restore(h.net, -1), s.describe());
    }
  }

  @Test
  void autoCadenceKeepsCopiesReachingTenIterationsBack() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      RollbackSnapshots s = new RollbackSnapshots(ActionSettings.ROLLBACK_AUTO, 2);
      for (int i = 0; i < 30; i++) {
        h.step();
        s.atBoundary(h.net, i, h.net.score());
      }
      // Whatever the measured cadence, the copies reach ten iterations back.
      assertTrue(s.kept() * s.cadence() >= RollbackSnapshots.AUTO_SPAN,
          s.kept() + " copies every " + s.cadence() + " iterations");
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
