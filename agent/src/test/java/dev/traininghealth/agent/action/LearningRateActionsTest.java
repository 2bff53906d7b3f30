package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

class LearningRateActionsTest {

  private static IUpdater updater(String kind, ISchedule schedule) {
    return "adam".equals(kind) ? new Adam(schedule) : new Sgd(schedule);
  }

  /**
   * Twin of the kicked net: before each step it gets the kicked net's parameters and updater
   * state, so both take the step from the same point on the same batch, and the ratio of their
   * updates is the ratio of their learning rates.
   */
  private static double updateRatio(MultiLayerNetwork kicked, Runnable kickedStep,
      MultiLayerNetwork twin, org.nd4j.linalg.dataset.DataSet batch) {
    twin.params().assign(kicked.params());
    INDArray state = ((BaseMultiLayerUpdater<?>) kicked.getUpdater()).getStateViewArray();
    if (state != null) {
      ((BaseMultiLayerUpdater<?>) twin.getUpdater()).getStateViewArray().assign(state);
    }
    INDArray start = kicked.params().dup();
    kickedStep.run();
    twin.fit(batch);
    double dk = kicked.params().sub(start).norm2Number().doubleValue();
    double dt = twin.params().sub(start).norm2Number().doubleValue();
    return dk / dt;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sgd", "adam"})
  void kickScalesTheUpdateForItsIterationsThenRestoresTheSchedule(String kind) {
    ISchedule schedule = new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.9);
    MultiLayerNetwork net = ActionHarness.tinyNet(11, updater(kind, schedule));
    MultiLayerNetwork twin = ActionHarness.tinyNet(11, updater(kind, schedule));
    try (ActionHarness h = new ActionHarness(net, ActionHarness.tinyBatch(5), ActionSettings.builder())) {
      h.steps(3);
      twin.fit(h.batch);
      twin.fit(h.batch);
      twin.fit(h.batch); // same iteration count, so the same scheduled rate
      h.send("lr_kick", Map.of("factor", 10.0, "iterations", 3L));
      // The kick is applied at the boundary of this step: this step still has the old rate.
      assertEquals(1.0, updateRatio(net, h::step, twin, h.batch), 1e-4);
      assertEquals(Outcome.APPLIED, h.results().get(0).outcome(), h.describe());
      for (int i = 0; i < 3; i++) {
        assertEquals(10.0, updateRatio(net, h::step, twin, h.batch), 1e-3, "kicked step " + i);
      }
      for (int i = 0; i < 3; i++) {
        assertEquals(1.0, updateRatio(net, h::step, twin, h.batch), 1e-4, "restored step " + i);
      }
      IUpdater u = ((BaseLayer) net.getLayer(0).conf().getLayer()).getIUpdater();
      ISchedule restored =
          u instanceof Adam ? ((Adam) u).getLearningRateSchedule() : ((Sgd) u).getLearningRateSchedule();
      assertSame(schedule.getClass(), restored.getClass());
      int next = h.iteration() + 1;
      assertEquals(schedule.valueAt(next, 0), u.getLearningRate(next, 0), 1e-12);
      assertEquals(1.0, h.executor.learningRateFactor());
    }
  }

  @Test
  void scaleIsPersistentAndCumulative() {
    MultiLayerNetwork net = ActionHarness.tinyNet(11, new Sgd(0.05));
    MultiLayerNetwork twin = ActionHarness.tinyNet(11, new Sgd(0.05));
    try (ActionHarness h = new ActionHarness(net, ActionHarness.tinyBatch(5), ActionSettings.builder())) {
      h.step();
      assertEquals(Outcome.APPLIED, h.apply("lr_scale", Map.of("factor", 0.5)).outcome());
      assertEquals(Outcome.APPLIED, h.apply("lr_scale", Map.of("factor", 0.5)).outcome());
      for (int i = 0; i < 20; i++) {
        assertEquals(0.25, updateRatio(net, h::step, twin, h.batch), 1e-4);
      }
      // 0.25 x 0.03 = 0.0075 < 1/100: the bound holds for the product, not each factor alone.
      assertEquals(Outcome.REJECTED, h.apply("lr_scale", Map.of("factor", 0.03)).outcome());
      assertTrue(h.results().get(2).reason().contains("persistent scale would be 0.0075"),
          h.describe());
      assertEquals(0.25, h.executor.learningRateFactor(), 1e-12);
    }
  }

  @Test
  void cosineKickFallsFromItsFactorToOneOverItsIterations() {
    MultiLayerNetwork net = ActionHarness.tinyNet(11, new Sgd(0.05));
    try (ActionHarness h = new ActionHarness(net, ActionHarness.tinyBatch(5), ActionSettings.builder())) {
      h.step();
      ActionResult r = h.apply("lr_kick", Map.of("factor", 10.0, "iterations", 100L, "shape", "cosine"));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("half a cosine"), r.reason());
      assertEquals(10.0, h.executor.learningRateFactor(), 1e-9);
      h.steps(50);
      assertEquals(5.5, h.executor.learningRateFactor(), 0.2, "halfway: 1 + 9 x 0.5");
      h.steps(40);
      double late = h.executor.learningRateFactor();
      assertTrue(late > 1 && late < 1.5, "near the end: " + late);
      h.steps(15);
      assertEquals(1.0, h.executor.learningRateFactor(), "the kick ended, the schedule is back");
      assertEquals(0.05, net.getLayerWiseConfigurations().getConf(0).getLayer()
          .getUpdaterByParam("W").getLearningRate(0, 0), 1e-12);
    }
  }

  @Test
  void cosineKickBelowOneRisesBackToOne() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.step();
      assertEquals(Outcome.APPLIED, h.apply("lr_kick",
          Map.of("factor", 0.5, "iterations", 100L, "shape", "cosine")).outcome());
      h.steps(50);
      assertEquals(0.75, h.executor.learningRateFactor(), 0.02, "halfway: 1 - 0.5 x 0.5");
      h.steps(45);
      double late = h.executor.learningRateFactor();
      assertTrue(late < 1 && late > 0.9, "near the end, still below 1: " + late);
    }
  }

  @Test
  void rejectsAKickOfUnknownShape() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.step();
      ActionResult r = h.apply("lr_kick", Map.of("factor", 10.0, "shape", "sawtooth"));
      assertEquals(Outcome.REJECTED, r.outcome());
      assertTrue(r.reason().contains("shape must be flat or cosine"), r.reason());
    }
  }
}
