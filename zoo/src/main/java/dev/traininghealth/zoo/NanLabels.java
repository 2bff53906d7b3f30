package dev.traininghealth.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;

/**
 * The healthy MLP's data with NaN written into the labels (the features stay finite): label
 * column 1 of rows 2 and 11 of batch {@value #BAD_BATCH} of the first epoch. Ground truth: the
 * loss of iteration {@value #BAD_BATCH} is NaN; the NaN reaches the gradient and the parameters,
 * so every later loss is NaN too. A watcher that only checks the features misses the cause.
 */
public final class NanLabels implements ZooJob {
  /** The batch (and iteration, in the first epoch) whose labels hold the NaN. */
  public static final int BAD_BATCH = 9;

  public static final int[] BAD_ROWS = {2, 11};
  public static final int[] BAD_COLS = {1};

  private final HealthyMlp base = new HealthyMlp();

  @Override
  public String name() {
    return "nan-labels";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "nan-labels",
        BAD_BATCH,
        "NaN in label column 1 of rows 2 and 11 of batch " + BAD_BATCH
            + " (features finite): the loss is NaN from iteration " + BAD_BATCH + " on.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    return base.network(seed);
  }

  @Override
  public DataSetIterator data(long seed) {
    DataSet all = HealthyMlp.blobs(seed);
    for (int row : BAD_ROWS) {
      for (int col : BAD_COLS) {
        all.getLabels().putScalar(BAD_BATCH * HealthyMlp.BATCH + row, col, Double.NaN);
      }
    }
    return new TestDataSetIterator(all, HealthyMlp.BATCH);
  }

  @Override
  public int epochs() {
    return 1;
  }
}
