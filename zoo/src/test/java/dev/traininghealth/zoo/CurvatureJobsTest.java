package dev.traininghealth.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Ground truths of the curvature jobs (saddle, symmetry, edge of stability, bad minimum). */
class CurvatureJobsTest {

  private static List<Double> losses(ZooJob job, MultiLayerNetwork net, long seed) {
    List<Double> losses = new ArrayList<>();
    net.setListeners(
        new BaseTrainingListener() {
          @Override
          public void iterationDone(Model model, int iteration, int epoch) {
            losses.add(model.score());
          }
        });
    job.train(net, seed);
    return losses;
  }

  @Test
  void saddleHasExactlyZeroGradientAndNeverMoves() {
    Saddle job = new Saddle();
    MultiLayerNetwork net = job.network(1);
    DataSet data = Saddle.centredData(1);
    net.setInput(data.getFeatures());
    net.setLabels(data.getLabels());
    net.computeGradientAndScore();
    assertEquals(0.0, net.getFlattenedGradients().amaxNumber().doubleValue());

    List<Double> l = losses(job, net, 1);
    assertEquals(0.0, net.params().amaxNumber().doubleValue(), "parameters stay exactly 0");
    double meanSquare = data.getLabels().mul(data.getLabels()).meanNumber().doubleValue();
    assertTrue(meanSquare > 1);
    for (double loss : l) {
      assertEquals(meanSquare, loss, 1e-4 * meanSquare, "stuck at mean(y^2)");
    }
  }

  @Test
  void symmetricHiddenUnitsStayIdentical() {
    SymmetricInit job = new SymmetricInit();
    MultiLayerNetwork net = job.network(2);
    INDArray before = net.params().dup();
    List<Double> l = losses(job, net, 2);
    assertNotEquals(before, net.params(), "it trained");
    assertTrue(l.get(l.size() - 1) < l.get(0), "the loss fell");
    INDArray w1 = net.getParam("0_W");
    INDArray b1 = net.getParam("0_b");
    INDArray w2 = net.getParam("1_W");
    for (int k = 1; k < SymmetricInit.HIDDEN; k++) {
      assertEquals(w1.getColumn(0), w1.getColumn(k), "incoming weights of unit " + k);
      assertEquals(b1.getDouble(0), b1.getDouble(k), 0.0, "bias of unit " + k);
      assertEquals(w2.getDouble(0), w2.getDouble(k), 0.0, "outgoing weight of unit " + k);
    }
  }

  @Test
  void edgeOfStabilityLossFallsButNotMonotonically() {
    EdgeOfStability job = new EdgeOfStability();
    List<Double> l = losses(job, job.network(3), 3);
    assertEquals(EdgeOfStability.STEPS, l.size());
    assertTrue(l.stream().allMatch(Double::isFinite));
    assertTrue(l.get(l.size() - 1) < 0.5 * l.get(0), "falls: " + l.get(0) + " -> " + l.get(l.size() - 1));
    int rises = 0;
    for (int i = 1; i < l.size(); i++) {
      if (l.get(i) > l.get(i - 1)) {
        rises++;
      }
    }
    assertTrue(rises > 0, "the loss rises at some steps, as it does at the edge of stability");
  }

  @Test
  void badLocalMinimumEndsAtTheBestLine() {
    BadLocalMinimum job = new BadLocalMinimum();
    MultiLayerNetwork net = job.network(4);
    List<Double> l = losses(job, net, 4);
    assertEquals(BadLocalMinimum.FINAL_LOSS, l.get(l.size() - 1), 1e-3);
    INDArray pre = net.getLayer(0).activate(BadLocalMinimum.points().getFeatures(), false,
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces());
    assertTrue(pre.minNumber().doubleValue() > 0, "both units active on every point: " + pre);
  }
}
