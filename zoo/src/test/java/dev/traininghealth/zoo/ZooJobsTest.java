package dev.traininghealth.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;

/** The zoo's ground truths, checked on the plain programs (no agent). */
class ZooJobsTest {

  private static List<Double> losses(ZooJob job, long seed) {
    MultiLayerNetwork net = job.network(seed);
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
  void healthyMlpLossFallsBelowATenth() {
    List<Double> l = losses(new HealthyMlp(), 1);
    assertTrue(l.get(0) > 0.5, "starts high: " + l.get(0));
    assertTrue(l.get(l.size() - 1) < 0.1, "ends low: " + l.get(l.size() - 1));
    assertTrue(l.stream().allMatch(Double::isFinite));
  }

  @Test
  void nanBatchLossTurnsNanAtTheBadBatch() {
    List<Double> l = losses(new NanBatch(), 1);
    for (int i = 0; i < NanBatch.BAD_BATCH; i++) {
      assertTrue(Double.isFinite(l.get(i)), "iteration " + i + " is finite");
    }
    assertTrue(Double.isNaN(l.get(NanBatch.BAD_BATCH)));
    assertEquals(NanBatch.BAD_BATCH, new NanBatch().groundTruth().onsetIteration());
  }

  @Test
  void sameSeedTrainsToIdenticalParameters() {
    ZooJob job = new HealthyMlp();
    assertEquals(job.run(3).params(), job.run(3).params());
  }
}
