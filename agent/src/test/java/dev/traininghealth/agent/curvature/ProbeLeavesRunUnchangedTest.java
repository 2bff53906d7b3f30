package dev.traininghealth.agent.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.zoo.HealthyMlp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The probe must not change the run: the same seed trained with the probe every k iterations
 * (called from inside iterationDone, as the agent's listener will) and without it ends with
 * bit-identical parameters and updater state, and the other listeners see the same calls.
 */
class ProbeLeavesRunUnchangedTest {
  private static final int EVERY = 3;

  /** Counts what DL4J calls on a listener, to show the probe does not reach listeners. */
  private static final class Counting extends BaseTrainingListener {
    int forward;
    int backward;
    int gradient;
    final List<Double> scores = new ArrayList<>();

    @Override
    public void onForwardPass(Model model, List<INDArray> activations) {
      forward++;
    }

    @Override
    public void onForwardPass(Model model, Map<String, INDArray> activations) {
      forward++;
    }

    @Override
    public void onBackwardPass(Model model) {
      backward++;
    }

    @Override
    public void onGradientCalculation(Model model) {
      gradient++;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      scores.add(model.score());
    }
  }

  private static final class Probing extends BaseTrainingListener {
    final CurvatureProbe probe = CurvatureProbe.builder().maxIterations(5).traceSamples(1).build();
    final DataSet batch;
    final List<CurvatureEstimate> estimates = new ArrayList<>();

    Probing(DataSet batch) {
      this.batch = batch;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      if (iteration % EVERY == 0) {
        estimates.add(probe.estimate((MultiLayerNetwork) model, batch));
      }
    }
  }

  private static final class Outcome {
    INDArray params;
    INDArray updater;
    Counting before;
    Counting after;
    List<CurvatureEstimate> estimates = List.of();
  }

  private static Outcome train(MultiLayerNetwork net, DataSetIterator data, int epochs, boolean probe) {
    Outcome o = new Outcome();
    o.before = new Counting();
    o.after = new Counting();
    DataSet first = data.next();
    data.reset();
    Probing probing = new Probing(first);
    if (probe) {
      // Listeners before and after ours: DL4J iterates over this list while ours runs the probe.
      net.setListeners(o.before, probing, o.after);
    } else {
      net.setListeners(o.before, o.after);
    }
    net.fit(data, epochs);
    o.params = net.params().dup();
    o.updater = net.getUpdater().getStateViewArray().dup();
    o.estimates = probing.estimates;
    return o;
  }

  private static void assertSameRun(Outcome off, Outcome on) {
    assertEquals(off.params, on.params, "parameters bit-identical");
    assertTrue(off.params.equalsWithEps(on.params, 0.0));
    assertEquals(off.updater, on.updater, "updater state bit-identical");
    assertTrue(off.updater.equalsWithEps(on.updater, 0.0));
    for (Counting[] pair : new Counting[][] {{off.before, on.before}, {off.after, on.after}}) {
      assertEquals(pair[0].forward, pair[1].forward, "onForwardPass calls");
      assertEquals(pair[0].backward, pair[1].backward, "onBackwardPass calls");
      assertEquals(pair[0].gradient, pair[1].gradient, "onGradientCalculation calls");
      assertEquals(pair[0].scores, pair[1].scores, "scores seen by iterationDone");
    }
    assertFalse(on.estimates.isEmpty());
    for (CurvatureEstimate e : on.estimates) {
      assertTrue(Double.isFinite(e.lambdaMax()) && Double.isFinite(e.trace()), e.toString());
    }
  }

  @Test
  void healthyMlpWithAdamTrainsBitIdenticallyWithTheProbe() {
    HealthyMlp job = new HealthyMlp();
    Outcome off = train(job.network(9), job.data(9), 1, false);
    Outcome on = train(job.network(9), job.data(9), 1, true);
    assertSameRun(off, on);
    assertTrue(on.estimates.stream().allMatch(e -> Double.isFinite(e.preconditionedMax())),
        "Adam: preconditioned sharpness estimated");
  }

  /** Dropout draws from ND4J's generator and BatchNorm keeps running statistics. */
  private static MultiLayerNetwork dropoutBatchNormNet(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-2))
            .list()
            .layer(new DenseLayer.Builder().nIn(20).nOut(32).activation(Activation.RELU)
                .dropOut(0.7).build())
            .layer(new BatchNormalization.Builder().nOut(32).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(32)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  @Test
  void dropoutAndBatchNormNetTrainsBitIdenticallyWithTheProbe() {
    HealthyMlp job = new HealthyMlp();
    Outcome off = train(dropoutBatchNormNet(5), job.data(5), 1, false);
    Outcome on = train(dropoutBatchNormNet(5), job.data(5), 1, true);
    assertSameRun(off, on);
  }

  @Test
  void probeOnTheSameStateGivesTheSameEstimate() {
    // Dropout is off during the probe, so the estimate is deterministic, not a noisy sample.
    MultiLayerNetwork net = dropoutBatchNormNet(6);
    DataSet batch = new HealthyMlp().data(6).next();
    net.fit(batch);
    CurvatureEstimate a = CurvatureProbe.builder().seed(1).build().estimate(net, batch);
    CurvatureEstimate b = CurvatureProbe.builder().seed(1).build().estimate(net, batch);
    assertEquals(a.lambdaMax(), b.lambdaMax(), 0.0);
    assertEquals(a.lambdaMin(), b.lambdaMin(), 0.0);
  }

  @Test
  void skipsAndSaysWhyWhenTheBudgetIsTooShort() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(1);
    DataSet batch = job.data(1).next();
    CurvatureProbe probe = CurvatureProbe.withDefaults();
    CurvatureEstimate first = probe.estimate(net, batch, 1e9);
    assertFalse(first.isSkipped());
    assertEquals(3, first.iterations(), "the first budgeted call only measures the cost");
    CurvatureEstimate skipped = probe.estimate(net, batch, 1e-6);
    assertTrue(skipped.isSkipped());
    assertTrue(skipped.skipReason().contains("budget"), skipped.skipReason());
    assertTrue(Double.isNaN(skipped.lambdaMax()));
    CurvatureEstimate full = probe.estimate(net, batch, 1e9);
    assertTrue(full.gradientEvaluations() <= 36, full.toString());
  }
}
