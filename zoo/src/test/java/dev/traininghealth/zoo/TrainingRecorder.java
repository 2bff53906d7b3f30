package dev.traininghealth.zoo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A plain DL4J listener that records, per iteration, the loss and the L2 norm of the whole
 * gradient and of each variable's ({@code 0_W}, {@code 0_b}, ...). The gradient is read in
 * {@code onGradientCalculation}, before the updater changes it in place (so it is the raw
 * gradient, summed over the minibatch: DL4J divides by the batch size inside the updater).
 */
final class TrainingRecorder extends BaseTrainingListener {
  final List<Double> losses = new ArrayList<>();
  final List<Double> gradientNorms = new ArrayList<>();
  final List<Map<String, Double>> variableNorms = new ArrayList<>();

  @Override
  public void onGradientCalculation(Model model) {
    gradientNorms.add(model.gradient().gradient().norm2Number().doubleValue());
    Map<String, Double> norms = new HashMap<>();
    for (Map.Entry<String, INDArray> e : model.gradient().gradientForVariable().entrySet()) {
      norms.put(e.getKey(), e.getValue().norm2Number().doubleValue());
    }
    variableNorms.add(norms);
  }

  @Override
  public void iterationDone(Model model, int iteration, int epoch) {
    losses.add(model.score());
  }

  /** Trains the job's network for {@code seed} with a fresh recorder attached. */
  static TrainingRecorder train(ZooJob job, long seed) {
    TrainingRecorder recorder = new TrainingRecorder();
    var net = job.network(seed);
    net.setListeners(recorder);
    job.train(net, seed);
    return recorder;
  }

  /** The first iteration whose loss is not finite, or -1. */
  int firstNonFiniteLoss() {
    for (int i = 0; i < losses.size(); i++) {
      if (!Double.isFinite(losses.get(i))) {
        return i;
      }
    }
    return -1;
  }
}
