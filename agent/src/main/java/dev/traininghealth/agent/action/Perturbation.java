package dev.traininghealth.agent.action;

import java.util.Map;
import java.util.Random;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Relative Gaussian noise on the weights (not biases, not BatchNorm statistics): each weight
 * array W gets {@code scale x rms(W) x N(0, 1)} per entry, or {@code scale x N(0, 1)} when W is all
 * zero (so that a restart can leave a symmetric start). Drawn from its own seeded generator, not
 * ND4J's, which belongs to the run.
 */
final class Perturbation {
  private Perturbation() {}

  /** Returns how many values were perturbed. */
  static long apply(Model m, double scale, long seed) {
    if (scale == 0) {
      return 0;
    }
    Random random = new Random(seed);
    long touched = 0;
    for (Layer layer : ModelState.layers(m)) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet()) {
        if (!conf.initializer().isWeightParam(conf, e.getKey())) {
          continue;
        }
        INDArray w = e.getValue();
        if (w.length() > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("weight array too large to perturb: " + w.length());
        }
        double rms = w.norm2Number().doubleValue() / Math.sqrt(Math.max(1, w.length()));
        double sigma = scale * (rms > 0 ? rms : 1);
        double[] noise = new double[(int) w.length()];
        for (int i = 0; i < noise.length; i++) {
          noise[i] = sigma * random.nextGaussian();
        }
        w.addi(Nd4j.createFromArray(noise).castTo(w.dataType()).reshape(w.ordering(), w.shape()));
        touched += noise.length;
      }
    }
    return touched;
  }
}
