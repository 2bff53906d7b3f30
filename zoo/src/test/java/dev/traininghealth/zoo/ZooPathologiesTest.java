package dev.traininghealth.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Each pathological job's written-down ground truth, checked on the plain program (no agent). */
class ZooPathologiesTest {
  private static final double LN3 = Math.log(3);

  @Test
  void explodingGradientNormPassesTenTimesItsStartAtTheOnsetAndTheLossOverflows() {
    for (long seed = 1; seed <= 3; seed++) {
      TrainingRecorder r = TrainingRecorder.train(new ExplodingMlp(), seed);
      double g0 = r.gradientNorms.get(0);
      int onset = -1;
      for (int i = 0; i < r.gradientNorms.size() && onset < 0; i++) {
        if (r.gradientNorms.get(i) > 10 * g0) {
          onset = i;
        }
      }
      assertEquals(ExplodingMlp.ONSET, onset, "seed " + seed);
      assertEquals(ExplodingMlp.ONSET, new ExplodingMlp().groundTruth().onsetIteration());
      assertTrue(r.losses.get(12) > 1e20 * r.losses.get(0), "seed " + seed + ": " + r.losses);
      int nonFinite = r.firstNonFiniteLoss();
      assertTrue(nonFinite > 0 && nonFinite <= ExplodingMlp.NON_FINITE_BY, "seed " + seed
          + " first non-finite loss at " + nonFinite);
    }
  }

  @Test
  void vanishingFirstLayerGradientIsMillionsOfTimesSmallerThanTheOutputLayersAndLossStaysNearLn3() {
    for (long seed = 1; seed <= 3; seed++) {
      TrainingRecorder r = TrainingRecorder.train(new VanishingMlp(), seed);
      String out = VanishingMlp.HIDDEN + "_W";
      double ratio = r.variableNorms.get(0).get("0_W") / r.variableNorms.get(0).get(out);
      assertTrue(ratio > 1e-8 && ratio < 1e-4, "seed " + seed + " ratio " + ratio);
      List<Double> secondEpoch = r.losses.subList(r.losses.size() / 2, r.losses.size());
      double mean = secondEpoch.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertEquals(LN3, mean, 0.015 * LN3, "seed " + seed);
    }
  }

  @Test
  void deadReluLaterLayersNeverFireAndNoHiddenLayerLearns() {
    DeadRelu job = new DeadRelu();
    long seed = 1;
    MultiLayerNetwork net = job.network(seed);
    INDArray x = job.data(seed).next().getFeatures();
    double[] before = deadShare(net, x);
    TrainingRecorder r = new TrainingRecorder();
    net.setListeners(r);
    job.train(net, seed);
    double[] after = deadShare(net, x);
    for (int layer = 0; layer < DeadRelu.HIDDEN; layer++) {
      if (layer >= DeadRelu.FIRST_DEAD_LAYER) {
        assertEquals(1.0, before[layer], "layer " + layer + " dead at the start");
        assertEquals(1.0, after[layer], "layer " + layer + " still dead at the end");
      }
      for (var norms : r.variableNorms) {
        assertEquals(0.0, norms.get(layer + "_W"), "layer " + layer + " gets no gradient");
      }
    }
    assertTrue(before[DeadRelu.FIRST_DEAD_LAYER - 1] < 1.0, "the layer below is not all dead");
    for (double loss : r.losses) {
      assertEquals(LN3, loss, 0.02 * LN3);
    }
  }

  /** Per hidden layer, the share of units never positive on any example of {@code x}. */
  private static double[] deadShare(MultiLayerNetwork net, INDArray x) {
    List<INDArray> activations = net.feedForward(x, false); // [input, layer 0, layer 1, ...]
    double[] share = new double[DeadRelu.HIDDEN];
    for (int layer = 0; layer < DeadRelu.HIDDEN; layer++) {
      INDArray maxPerUnit = activations.get(layer + 1).max(0);
      share[layer] = maxPerUnit.lte(0).castTo(maxPerUnit.dataType()).meanNumber().doubleValue();
    }
    return share;
  }

  @Test
  void lossSpikesOnceAtTheWrongBatchAndRecovers() {
    int at = LossSpike.SPIKE_ITERATION;
    for (long seed = 1; seed <= 2; seed++) {
      List<Double> l = TrainingRecorder.train(new LossSpike(), seed).losses;
      double before = median(l.subList(at - 20, at));
      assertTrue(l.get(at) > 8 * before, "seed " + seed + ": " + l.get(at) + " vs " + before);
      assertTrue(logZ(l, at) > 6, "seed " + seed + " z " + logZ(l, at));
      for (int i = 20; i < l.size(); i++) {
        if (i != at) {
          assertTrue(logZ(l, i) < 3, "seed " + seed + " iteration " + i + " z " + logZ(l, i));
        }
      }
      double after = median(l.subList(at + 1, at + 1 + LossSpike.RECOVERY_ITERATIONS));
      assertTrue(after < 2 * before, "seed " + seed + ": " + after + " vs " + before);
    }
  }

  /** z-score of log-loss at {@code i} against the 20 iterations before it. */
  private static double logZ(List<Double> losses, int i) {
    double mean = 0;
    for (int k = i - 20; k < i; k++) {
      mean += Math.log(losses.get(k)) / 20;
    }
    double var = 0;
    for (int k = i - 20; k < i; k++) {
      var += Math.pow(Math.log(losses.get(k)) - mean, 2) / 19;
    }
    return (Math.log(losses.get(i)) - mean) / Math.sqrt(var);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  @Test
  void nanLabelsMakeTheLossNanAtTheBadBatchWithFiniteFeatures() {
    NanLabels job = new NanLabels();
    TrainingRecorder r = TrainingRecorder.train(job, 1);
    assertEquals(NanLabels.BAD_BATCH, r.firstNonFiniteLoss());
    assertTrue(Double.isNaN(r.losses.get(NanLabels.BAD_BATCH)));
    assertTrue(Double.isNaN(r.losses.get(r.losses.size() - 1)), "stays NaN");
    assertEquals(NanLabels.BAD_BATCH, job.groundTruth().onsetIteration());

    var it = job.data(1);
    for (int b = 0; b < NanLabels.BAD_BATCH; b++) {
      it.next();
    }
    DataSet bad = it.next();
    assertEquals(0, bad.getFeatures().isNaN().castTo(bad.getFeatures().dataType()).sumNumber()
        .intValue(), "features are finite");
    assertTrue(Double.isNaN(bad.getLabels().getDouble(NanLabels.BAD_ROWS[0], NanLabels.BAD_COLS[0])));
  }

  @Test
  void xorSitsOnTheQuarterPlateauForTheWholeBudget() {
    // Seeds 1, 2, 3 are among the 9 of 1-10 measured stuck; checking all ten takes ~15 s here.
    for (long seed = 1; seed <= 3; seed++) {
      List<Double> l = TrainingRecorder.train(new XorPlateau(), seed).losses;
      assertEquals(XorPlateau.BUDGET, l.size());
      for (int i = XorPlateau.PLATEAU_FROM; i < l.size(); i++) {
        assertEquals(XorPlateau.PLATEAU_LOSS, l.get(i), 0.01, "seed " + seed + " iteration " + i);
      }
    }
  }

  @Test
  void aSeedFromOneUpReproducesTheSameInitialParameters() {
    // DL4J 1.0.0-M2.1 treats seed 0 as "not set" and sometimes draws a fresh seed (seen here,
    // not every time), so ground truths and tests use seeds from 1.
    ZooJob job = new ExplodingMlp();
    assertEquals(job.network(1).params(), job.network(1).params());
    assertNotEquals(job.network(1).params(), job.network(2).params());
  }
}
