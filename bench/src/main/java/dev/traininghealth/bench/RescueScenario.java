package dev.traininghealth.bench;

import dev.traininghealth.zoo.BadLocalMinimum;
import dev.traininghealth.zoo.EdgeOfStability;
import dev.traininghealth.zoo.ExplodingMlp;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import dev.traininghealth.zoo.Saddle;
import dev.traininghealth.zoo.XorPlateau;
import dev.traininghealth.zoo.ZooJob;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One row of the rescue table: a zoo job, the iterations every arm gets, and the loss on the
 * whole (clean) training set a run must end at or below to count as having reached the target.
 * Budgets and targets are fixed from the zoo's ground truth and from what a run that is not stuck
 * reaches, before any rescue was measured; they are not tuned to the seeds.
 *
 * @param name the row's name
 * @param job the zoo program
 * @param budget iterations (one {@code fit} of one batch each) for every arm
 * @param target final loss on the clean training set that counts as reached
 * @param stuck whether the scenario is a fault to rescue; false for the controls, which must
 *     get no action at all
 * @param why where budget and target come from, printed under the table
 */
record RescueScenario(String name, ZooJob job, int budget, double target, boolean stuck, String why) {

  static List<RescueScenario> all() {
    List<RescueScenario> s = new ArrayList<>();
    s.add(new RescueScenario("xor-plateau", new XorPlateau(), XorPlateau.BUDGET, 0.05, true,
        "the zoo's budget; plateau at MSE 0.25, runs that leave it pass 0.05 on their way to 0"));
    s.add(new RescueScenario("saddle", new Saddle(), 300, 0.6, true,
        "linear 10-8-1 at w = 0, gradient exactly 0: MSE stays at mean(y^2) (6-15 for seeds 1-3);"
            + " 0.6 is below a tenth of every seed's start, 0 is reachable"));
    s.add(new RescueScenario("bad-local-minimum", new BadLocalMinimum(), 1000, 0.1, true,
        "GD settles at MSE 0.56 (the best line) within the budget; |x| itself reaches 0"));
    s.add(new RescueScenario("exploding", new ExplodingMlp(), 100, 0.5, true,
        "lr 1.0: inf/NaN by iteration 15; the target has unit variance, so 0.5 means it learned"));
    s.add(new RescueScenario("nan-batch", new NanBatch(), 20, 0.01, true,
        "the zoo's one epoch; the healthy MLP is below 0.001 after 10 iterations, NaN from 7 on"));
    s.add(new RescueScenario("healthy-mlp", new HealthyMlp(), 60, 0.01, false,
        "control: the zoo's three epochs, loss below 0.001"));
    s.add(new RescueScenario("edge-of-stability", new EdgeOfStability(), EdgeOfStability.STEPS, 0.05,
        false, "control: the zoo's 600 full-batch steps at the stability edge"));
    return s;
  }

  /** The clean training set, all of it, to judge the final loss on. */
  DataSet evaluationData(long seed) {
    // NaN batch: its own data hold the NaN rows; the healthy MLP's are the same without them.
    DataSetIterator it = job instanceof NanBatch ? new HealthyMlp().data(seed) : job.data(seed);
    List<DataSet> parts = new ArrayList<>();
    while (it.hasNext()) {
      parts.add(it.next());
    }
    return DataSet.merge(parts);
  }
}
