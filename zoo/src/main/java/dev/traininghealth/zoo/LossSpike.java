package dev.traininghealth.zoo;

import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A one-off loss spike in a healthy run: the healthy MLP (Adam 1e-2) trains on its three blobs,
 * with {@value #NOISY_LABEL_SHARE} of the labels random so that the loss settles at a noisy floor
 * near 0.25 as real runs do, repeated {@value #REPEATS} times as one epoch of batches of
 * {@value #BATCH}. Every label of batch {@value #SPIKE_ITERATION} is rotated by one class (as when
 * a mislabelled shard slips in), so that batch's loss jumps; the one step on it does little harm
 * and the next batches are back at the floor.
 *
 * <p>Ground truth (seeds 1-6, measured by {@code ZooPathologiesTest}): the loss at iteration
 * {@value #SPIKE_ITERATION} is 9-16x the median of the 20 iterations before it and its log-loss
 * z-score against them is 8-16, while no other iteration from 20 on exceeds a z-score of 2; the
 * median loss of the {@value #RECOVERY_ITERATIONS} iterations after the spike is within 2x the
 * pre-spike median.
 */
public final class LossSpike implements ZooJob {
  /** The iteration (and batch: there is one epoch) whose labels are wrong. */
  public static final int SPIKE_ITERATION = 50;

  /** Iterations after the spike within which the loss is back to its pre-spike level. */
  public static final int RECOVERY_ITERATIONS = 10;

  static final int REPEATS = 16;
  static final int BATCH = 128;
  static final double NOISY_LABEL_SHARE = 0.1;

  private final HealthyMlp base = new HealthyMlp();

  @Override
  public String name() {
    return "loss-spike";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "loss-spike",
        SPIKE_ITERATION,
        "healthy MLP with every label of batch " + SPIKE_ITERATION + " wrong: a one-off loss"
            + " spike at iteration " + SPIKE_ITERATION + ", recovered within "
            + RECOVERY_ITERATIONS + " iterations.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    return base.network(seed);
  }

  @Override
  public DataSetIterator data(long seed) {
    DataSet once = HealthyMlp.blobs(seed);
    relabelAtRandom(once.getLabels(), new Random(seed + 1));
    INDArray[] xs = new INDArray[REPEATS];
    INDArray[] ys = new INDArray[REPEATS];
    for (int i = 0; i < REPEATS; i++) {
      xs[i] = once.getFeatures();
      ys[i] = once.getLabels();
    }
    INDArray y = Nd4j.vstack(ys);
    long from = (long) SPIKE_ITERATION * BATCH;
    for (long row = from; row < from + BATCH; row++) {
      INDArray label = y.getRow(row).dup();
      for (int k = 0; k < HealthyMlp.CLASSES; k++) {
        y.putScalar(row, (k + 1) % HealthyMlp.CLASSES, label.getDouble(k));
      }
    }
    return new TestDataSetIterator(new DataSet(Nd4j.vstack(xs), y), BATCH);
  }

  /**
   * Gives {@value #NOISY_LABEL_SHARE} of the examples a random class. Without this label noise the
   * separable blobs drive the loss towards 1e-5, Adam grows overconfident, and the wrong batch's
   * huge gradient keeps pushing through the momentum for tens of steps: a slow relapse, not a
   * one-off spike. With it the loss settles at a noisy floor as real runs do.
   */
  private static void relabelAtRandom(INDArray labels, Random r) {
    for (long row = 0; row < labels.rows(); row++) {
      if (r.nextDouble() < NOISY_LABEL_SHARE) {
        INDArray label = labels.getRow(row);
        label.assign(0);
        label.putScalar(r.nextInt(HealthyMlp.CLASSES), 1.0);
      }
    }
  }

  @Override
  public int epochs() {
    return 1;
  }
}
