package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import dev.traininghealth.zoo.XorPlateau;
import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class UnitReinitTest {
  private static final int KICK_FROM = 120;
  private static final int KICK_TO = 420;

  /**
   * XOR seed 1, kicked tenfold off its first plateau as the rescue rules do, ends with both
   * hidden units computing NOR (MSE 0.167) and stays there; replacing the weaker unit at
   * iteration 330 gets it to the target before the budget of 500 ends.
   */
  @Test
  void replacingTheWeakerUnitLeavesXorsSecondPlateau() {
    double left = xorRun(false);
    double helped = xorRun(true);
    assertTrue(left > 0.15, "without the replacement seed 1 should stay stuck, ended at " + left);
    assertTrue(helped <= 0.05, "with the replacement seed 1 ended at " + helped);
  }

  private static double xorRun(boolean reinit) {
    XorPlateau zoo = new XorPlateau();
    DataSet batch = zoo.data(1).next();
    try (ActionHarness h = new ActionHarness(zoo.network(1), batch, ActionSettings.builder())) {
      for (int t = 0; t < XorPlateau.BUDGET; t++) {
        h.net.setLearningRate(
            XorPlateau.LEARNING_RATE * (t >= KICK_FROM && t < KICK_TO ? 10 : 1));
        if (reinit && t == 330) {
          INDArray before = h.net.output(batch.getFeatures());
          INDArray outW = h.net.getLayer(1).getParam("W").dup();
          ActionResult r = h.apply("reinit_units", Map.of("units", 1L, "seed", 5L));
          assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
          assertTrue(r.reason().contains("layer 0: 1 of 2 units"), r.reason());
          // The weaker unit (smaller |outgoing weight| and activity) was replaced, the other kept.
          int weak = Math.abs(outW.getDouble(0, 0)) < Math.abs(outW.getDouble(1, 0)) ? 0 : 1;
          assertTrue(r.reason().contains("unit " + weak + " "), r.reason());
          continue;
        }
        h.step();
      }
      return h.net.score(batch, false);
    }
  }

  @Test
  void onlyTheLeastUsefulUnitsGetNewWeights() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.steps(20);
      INDArray w0 = h.net.getLayer(0).getParam("W").dup();
      INDArray w1 = h.net.getLayer(1).getParam("W").dup();
      double[] utility = UnitReinit.utility(
          h.net.feedForward(h.batch.getFeatures(), false).get(1), w1);
      ActionResult r = h.apply("reinit_units", Map.of("units", 2L));
      assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
      // h.apply stepped once after the replacement, and one Adam step (lr 0.01) moves a weight
      // by about 0.01, at most about 3x that: the replaced units' outgoing weights, set to zero,
      // are still near zero, and every other weight is still near where it was.
      double step = 0.035;
      int[] lowest = lowestTwo(utility);
      INDArray w1After = h.net.getLayer(1).getParam("W");
      INDArray w0After = h.net.getLayer(0).getParam("W");
      for (int j = 0; j < 8; j++) {
        boolean replaced = j == lowest[0] || j == lowest[1];
        for (int c = 0; c < 3; c++) {
          double moved = Math.abs(w1After.getDouble(j, c) - (replaced ? 0 : w1.getDouble(j, c)));
          assertTrue(moved <= step, "unit " + j + " out " + c + " moved " + moved);
        }
        double inMoved = 0;
        for (int i = 0; i < 4; i++) {
          double d = Math.abs(w0After.getDouble(i, j) - w0.getDouble(i, j));
          inMoved += d;
          if (!replaced) {
            assertTrue(d <= step, "unit " + j + " kept its weights, moved " + d);
          }
        }
        if (replaced) {
          assertTrue(inMoved > 0.1, "unit " + j + " was to get new incoming weights: " + inMoved);
        }
      }
      assertTrue(r.reason().contains("layer 0: 2 of 8 units"), r.reason());
    }
  }

  @Test
  void theOutputLosesOnlyTheReplacedUnitsVariationAndItsUpdaterStateIsCleared() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.steps(20);
      INDArray x = h.batch.getFeatures();
      INDArray hidden = h.net.feedForward(x, false).get(1).dup();
      INDArray logits = logits(h.net, x);
      INDArray outW = h.net.getLayer(1).getParam("W").dup();
      double[] utility = UnitReinit.utility(hidden, outW);
      int j = lowestTwo(utility)[0];
      INDArray state = ModelState.updaterState(h.net).dup();
      INDArray params = h.net.params().dup();

      String what = UnitReinit.apply(h.net, 1, 11);

      // The new unit's outgoing weights are zero and the old unit's mean went into the bias: the
      // logits lose exactly the old unit's deviation from its mean times its outgoing weights.
      INDArray deviation = hidden.getColumn(j).sub(hidden.getColumn(j).meanNumber());
      INDArray expected = logits.sub(deviation.reshape(-1, 1).mmul(outW.getRow(j).reshape(1, -1)));
      INDArray after = logits(h.net, x);
      assertTrue(expected.equalsWithEps(after, 1e-4), expected + " vs " + after + ": " + what);
      assertTrue(what.contains("unit " + j + " "), what);

      INDArray stateAfter = ModelState.updaterState(h.net);
      INDArray paramsAfter = h.net.params();
      int changed = 0;
      for (long i = 0; i < params.length(); i++) {
        if (params.getDouble(i) != paramsAfter.getDouble(i)) {
          changed++;
        }
      }
      int zeroed = 0;
      for (long i = 0; i < state.length(); i++) {
        if (state.getDouble(i) != 0 && stateAfter.getDouble(i) == 0) {
          zeroed++;
        } else {
          assertEquals(state.getDouble(i), stateAfter.getDouble(i), 0.0, "state entry " + i);
        }
      }
      // One unit of the 4-8-3 net: 4 incoming weights and 1 bias drawn afresh, 3 outgoing
      // weights zeroed, 3 output biases shifted; Adam's m and v cleared for the first 8 only.
      assertEquals(11, changed, what);
      assertEquals(16, zeroed, what);
    }
  }

  private static INDArray logits(MultiLayerNetwork net, INDArray x) {
    INDArray hidden = net.feedForward(x, false).get(1);
    return hidden.mmul(net.getLayer(1).getParam("W"))
        .addRowVector(net.getLayer(1).getParam("b"));
  }

  @Test
  void failsWithAReasonOnANetWithoutAHiddenLayer() {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .updater(new Adam(0.01)).list()
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
            .activation(Activation.SOFTMAX).build())
        .build());
    net.init();
    try (ActionHarness h = new ActionHarness(net, ActionHarness.tinyBatch(3),
        ActionSettings.builder())) {
      h.steps(2);
      ActionResult r = h.apply("reinit_units", Map.of());
      assertEquals(Outcome.FAILED, r.outcome(), r.reason());
      assertTrue(r.reason().contains("no dense hidden layer"), r.reason());
    }
  }

  private static int[] lowestTwo(double[] u) {
    int a = -1;
    int b = -1;
    for (int j = 0; j < u.length; j++) {
      if (a < 0 || u[j] < u[a]) {
        b = a;
        a = j;
      } else if (b < 0 || u[j] < u[b]) {
        b = j;
      }
    }
    return new int[] {a, b};
  }
}
