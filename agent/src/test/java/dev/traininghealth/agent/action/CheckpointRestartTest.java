package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class CheckpointRestartTest {
  @TempDir Path dir;

  private ActionHarness harness() {
    return ActionHarness.tiny(ActionSettings.builder().checkpointDir(dir.toString()));
  }

  @Test
  void checkpointWritesALoadableModelWithUpdaterState() throws Exception {
    try (ActionHarness h = harness()) {
      h.steps(5);
      ActionResult r = h.apply("checkpoint", Map.of("name", "five"));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      MultiLayerNetwork loaded = ModelSerializer.restoreMultiLayerNetwork(dir.resolve("five.zip").toFile(), true);
      assertEquals(h.net.params(), loaded.params());
      assertEquals(((BaseMultiLayerUpdater<?>) h.net.getUpdater()).getStateViewArray(),
          ((BaseMultiLayerUpdater<?>) loaded.getUpdater()).getStateViewArray());
    }
  }

  @Test
  void restartFromBestRestoresTheBestCheckpointAndResetsTheUpdater() {
    try (ActionHarness h = harness()) {
      h.steps(30);
      h.apply("checkpoint", Map.of());
      INDArray best = h.net.params().dup(); // the checkpoint is written after this boundary's step
      // Wreck the run: the loss soars, and later checkpoints carry a worse smoothed loss.
      h.net.params().muli(8);
      h.steps(20);
      h.apply("checkpoint", Map.of());
      h.apply("checkpoint", Map.of("name", "wrecked"));
      ActionResult r = h.apply("restart", Map.of("from", "best"));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("iteration 30"), r.reason());
      assertEquals(best, h.net.params());
      INDArray state = ((BaseMultiLayerUpdater<?>) h.net.getUpdater()).getStateViewArray();
      assertEquals(0.0, state.norm2Number().doubleValue(), 0.0, "updater state reset");
    }
  }

  @Test
  void restartWithPerturbationAddsSeededRelativeNoiseToWeightsOnly() {
    try (ActionHarness h = harness()) {
      h.steps(10);
      h.apply("checkpoint", Map.of("name", "base"));
      INDArray base = h.net.params().dup();
      INDArray w0 = h.net.getLayer(0).getParam("W").dup();
      INDArray b0 = h.net.getLayer(0).getParam("b").dup();
      ActionResult r = h.apply("restart", Map.of("from", "base", "perturb", 0.05, "seed", 7L));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      INDArray w = h.net.getLayer(0).getParam("W");
      double rms = w0.norm2Number().doubleValue() / Math.sqrt(w0.length());
      double noiseRms = w.sub(w0).norm2Number().doubleValue() / Math.sqrt(w0.length());
      assertEquals(0.05 * rms, noiseRms, 0.02 * rms, "noise is 5% of the weights' rms");
      assertEquals(b0, h.net.getLayer(0).getParam("b"), "biases untouched");
      // The same seed gives the same perturbation.
      INDArray first = h.net.params().dup();
      h.apply("restart", Map.of("from", "base", "perturb", 0.05, "seed", 7L));
      assertEquals(first, h.net.params());
      assertTrue(base.neq(first).any());
    }
  }

  @Test
  void restartFromInitDrawsAFreshSeededInitialisationWithoutACheckpoint() {
    try (ActionHarness h = harness()) {
      h.steps(20);
      INDArray trained = h.net.params().dup();
      ActionResult r = h.apply("restart", Map.of("from", "init", "seed", 11L));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("fresh initialisation (seed 11)"), r.reason());
      INDArray fresh = h.net.params().dup();
      // What the configuration itself gives under seed 11: the same draw, not the trained values.
      assertEquals(ActionHarness.tinyNet(11, new org.nd4j.linalg.learning.config.Adam(0.01))
          .params(), fresh);
      assertTrue(trained.neq(fresh).any());
      INDArray state = ((BaseMultiLayerUpdater<?>) h.net.getUpdater()).getStateViewArray();
      assertEquals(0.0, state.norm2Number().doubleValue(), 0.0, "updater state reset");
      // Another seed, another draw.
      h.apply("restart", Map.of("from", "init", "seed", 12L));
      assertTrue(h.net.params().neq(fresh).any());
    }
  }

  @Test
  void restartEndsARunningKick() {
    try (ActionHarness h = harness()) {
      h.steps(5);
      h.apply("lr_kick", Map.of("factor", 10.0, "iterations", 100L));
      assertEquals(0.1, h.net.getLearningRate(0), 1e-9, "kicked");
      ActionResult r = h.apply("restart", Map.of("from", "init", "seed", 3L));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("running lr_kick ended"), r.reason());
      assertEquals(0.01, h.net.getLearningRate(0), 1e-9, "back to the job's own rate");
    }
  }

  @Test
  void restartFromAnUnknownCheckpointFailsAndLeavesTheRun() {
    try (ActionHarness h = harness()) {
      h.steps(3);
      INDArray before = h.net.params().dup();
      ActionResult r = h.apply("restart", Map.of("from", "nope"));
      assertEquals(Outcome.FAILED, r.outcome());
      assertTrue(r.reason().contains("no checkpoint 'nope'"), r.reason());
      assertTrue(h.net.params().neq(before).any(), "training went on");
    }
  }

  @Test
  void keepsOnlyTheNewestUnnamedCheckpointsButTheBest() throws Exception {
    try (ActionHarness h = ActionHarness.tiny(
        ActionSettings.builder().checkpointDir(dir.toString()).checkpointKeep(2))) {
      for (int i = 0; i < 5; i++) {
        h.steps(3);
        h.apply("checkpoint", Map.of());
      }
      long zips;
      try (var files = Files.list(dir)) {
        zips = files.filter(p -> p.toString().endsWith(".zip")).count();
      }
      assertEquals(2, zips);
    }
  }
}
