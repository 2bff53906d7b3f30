package dev.traininghealth.rules;

import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.rules.event.JobStarted;
import dev.traininghealth.rules.event.LayerStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic event streams for tests: one job, 100 ms per iteration, and a healthy baseline
 * (loss falling as 2.3 / (1 + t/200) with 2% multiplicative noise, gradient norm about 1 with
 * 10% noise, three layers, update ratio 1e-3, 10% dead units, SGD at lr 0.1 with sharpness at a
 * quarter of 2/eta) that each test bends into one pathology.
 */
public final class Synthetic {
  public static final long T0 = 1_700_000_000_000L;
  public static final long MS_PER_ITER = 100;
  public static final double LR = 0.1;

  private final String job;
  private final Random random;
  private long seq;

  public Synthetic(String job, long seed) {
    this.job = job;
    this.random = new Random(seed);
  }

  public Header header(long iter) {
    return header(iter, T0 + iter * MS_PER_ITER);
  }

  public Header header(long iter, long ts) {
    return Header.of(job, "run-1", seq++, ts, iter, 0, null);
  }

  public double noise(double sigma) {
    return Math.exp(sigma * random.nextGaussian());
  }

  public static double healthyLoss(long t) {
    return 2.3 / (1 + t / 200.0);
  }

  public JobStarted started(String updater, long totalParams) {
    return JobStarted.builder(header(0)).updater(updater).learningRate(LR)
        .totalParams(totalParams).modelClass("MultiLayerNetwork").build();
  }

  /** Three layers, weights only, each with gradient norms g[i] and the given update ratio. */
  public static List<LayerStats> layers(double g0, double g1, double g2, double updateRatio) {
    List<LayerStats> l = new ArrayList<>();
    double[] g = {g0, g1, g2};
    for (int i = 0; i < 3; i++) {
      l.add(LayerStats.of(String.valueOf(i), "W", g[i], 10, 10 * updateRatio));
      l.add(LayerStats.of(String.valueOf(i), "b", g[i] / 10, 0.1, 0.1 * updateRatio));
    }
    return l;
  }

  public Iteration iteration(long iter, double loss, double gradNorm, List<LayerStats> layers) {
    return Iteration.builder(header(iter)).loss(loss).learningRate(LR).gradNorm(gradNorm)
        .paramNorm(17).updateNorm(0.017).layers(layers).batchSize(32).build();
  }

  /** A healthy iteration at {@code iter}. */
  public Iteration healthy(long iter) {
    double g = noise(0.1);
    return iteration(iter, healthyLoss(iter) * noise(0.02), g,
        layers(0.6 * g, 0.5 * g, 0.4 * g, 1e-3 * noise(0.1)));
  }

  public Curvature curvature(long iter, double lambdaMax, double lambdaMin, double pre) {
    return Curvature.builder(header(iter)).lambdaMax(lambdaMax).lambdaMin(lambdaMin)
        .residualMax(lambdaMax * 1e-3).residualMin(Math.abs(lambdaMin) * 1e-2)
        .preconditionedMax(pre).iterations(20).build();
  }

  public Activations activations(long iter, double dead, double saturated) {
    List<Activations.LayerActivity> a = new ArrayList<>();
    a.add(Activations.LayerActivity.of("0", dead / 2, saturated / 2));
    a.add(Activations.LayerActivity.of("1", dead, saturated));
    return Activations.of(header(iter), a);
  }

  public Heartbeat heartbeat(long iter, long ts) {
    return Heartbeat.of(header(iter, ts), "training", 0);
  }

  public JobFinished finished(long iter) {
    return JobFinished.of(header(iter), "completed", "", 0);
  }

  /**
   * A healthy run of {@code n} iterations with SGD, activations every 50 and curvature every
   * 100 iterations (sharpness 5 = a quarter of 2/eta, lambda_min a tiny -0.001).
   */
  public List<Event> healthyRun(int n) {
    List<Event> out = new ArrayList<>();
    out.add(started("Sgd", 100_000));
    for (int t = 1; t <= n; t++) {
      out.add(healthy(t));
      if (t % 50 == 0) {
        out.add(activations(t, 0.1, 0.05));
      }
      if (t % 100 == 0) {
        out.add(curvature(t, 5 * noise(0.05), -0.001, Double.NaN));
      }
    }
    return out;
  }
}
