package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class WeightAverageTest {

  @Test
  void applySetsTheAverageOfTheSnapshots() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.steps(4);
      h.send("swa_start", Map.of("every", 2L));
      h.step(); // started at this boundary: first snapshot
      INDArray sum = h.net.params().castTo(DataType.DOUBLE);
      h.steps(2);
      sum.addi(h.net.params().castTo(DataType.DOUBLE));
      h.steps(2);
      sum.addi(h.net.params().castTo(DataType.DOUBLE));
      ActionResult r = h.apply("swa_apply", Map.of()); // 5 after the start: no snapshot due
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("average of 3 snapshots"), r.reason());
      INDArray expected = sum.divi(3).castTo(DataType.FLOAT);
      assertTrue(expected.equalsWithEps(h.net.params(), 1e-6), h.net.params() + " vs " + expected);
    }
  }

  @Test
  void applyWithoutStartFails() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.step();
      ActionResult r = h.apply("swa_apply", Map.of());
      assertEquals(Outcome.FAILED, r.outcome());
      assertTrue(r.reason().contains("swa_start"), r.reason());
    }
  }

  private static MultiLayerNetwork batchNormNet() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(5)
                .updater(new Adam(0.01))
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().nOut(6).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(6)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
    net.init();
    return net;
  }

  @Test
  void applyRecomputesBatchNormStatisticsForTheAverage() {
    try (ActionHarness h = new ActionHarness(batchNormNet(), ActionHarness.tinyBatch(9),
        ActionSettings.builder().swaBatchNormBatches(4))) {
      h.steps(3);
      h.apply("swa_start", Map.of("every", 1L));
      h.steps(3);
      ActionResult r = h.apply("swa_apply", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("BatchNorm statistics of 1 layer(s) recomputed"), r.reason());
      // Every kept batch is the same one, so the statistics are that batch's, under the average.
      INDArray in = h.net.feedForwardToLayer(1, h.batch.getFeatures(), false).get(1);
      INDArray mean = h.net.getLayer(1).getParam("mean");
      assertTrue(in.mean(0).reshape(mean.shape()).equalsWithEps(mean, 1e-4), in.mean(0) + " vs " + mean);
    }
  }

  @Test
  void applySaysSoWhenNoBatchWasKeptForBatchNorm() {
    try (ActionHarness h = new ActionHarness(batchNormNet(), ActionHarness.tinyBatch(9),
        ActionSettings.builder().swaBatchNormBatches(0))) {
      h.steps(2);
      h.apply("swa_start", Map.of());
      ActionResult r = h.apply("swa_apply", Map.of());
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("statistics NOT recomputed"), r.reason());
    }
  }
}
