package dev.traininghealth.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;

/** The healthy benchmark nets and the graph job: they train, with finite loss. */
class BenchAndGraphJobsTest {

  @Test
  void benchMlpTrainsItsBatchesWithFiniteLossNearLn10() {
    TrainingRecorder r = TrainingRecorder.train(new BenchMlp(2, 1), 1);
    assertEquals(2, r.losses.size());
    assertTrue(r.losses.stream().allMatch(Double::isFinite), r.losses.toString());
    assertEquals(Math.log(10), r.losses.get(0), 1.0);
  }

  @Test
  void benchLenetTrainsItsBatchesWithFiniteLossNearLn10() {
    TrainingRecorder r = TrainingRecorder.train(new BenchLenet(2, 1), 1);
    assertEquals(2, r.losses.size());
    assertTrue(r.losses.stream().allMatch(Double::isFinite), r.losses.toString());
    assertEquals(Math.log(10), r.losses.get(0), 1.0);
  }

  @Test
  void benchJobsRunBatchesTimesEpochsIterations() {
    BenchMlp job = new BenchMlp(3, 2);
    int batches = 0;
    var it = job.data(1);
    while (it.hasNext()) {
      assertEquals(BenchMlp.BATCH, it.next().numExamples());
      batches++;
    }
    assertEquals(3, batches);
    assertEquals(2, job.epochs());
    assertThrows(IllegalArgumentException.class, () -> new BenchLenet(0, 1));
  }

  @Test
  void healthyGraphLossFallsBelowATenth() {
    HealthyGraph job = new HealthyGraph();
    ComputationGraph graph = job.graph(1);
    List<Double> losses = new ArrayList<>();
    graph.setListeners(
        new BaseTrainingListener() {
          @Override
          public void iterationDone(Model model, int iteration, int epoch) {
            losses.add(model.score());
          }
        });
    job.train(graph, 1);
    assertTrue(losses.get(0) > 0.5, "starts high: " + losses.get(0));
    assertTrue(losses.get(losses.size() - 1) < 0.1, "ends low: " + losses);
    assertTrue(losses.stream().allMatch(Double::isFinite));
    assertTrue(job.groundTruth().isHealthy());
    assertEquals(job.name(), GraphZoo.byName("healthy-graph").name());
  }

  @Test
  void everyZooJobHasAUniqueNameAndItsGroundTruth() {
    List<String> names = new ArrayList<>();
    for (ZooJob job : Zoo.all()) {
      assertTrue(!names.contains(job.name()), "duplicate " + job.name());
      names.add(job.name());
      assertEquals(job.name(), Zoo.byName(job.name()).name());
      assertTrue(job.groundTruth().isHealthy() || job.groundTruth().onsetIteration() >= 0,
          job.name() + " states its onset");
    }
    assertTrue(names.containsAll(List.of("exploding", "vanishing", "dead-relu", "loss-spike",
        "nan-labels", "xor-plateau", "bench-mlp", "bench-lenet")), names.toString());
  }
}
