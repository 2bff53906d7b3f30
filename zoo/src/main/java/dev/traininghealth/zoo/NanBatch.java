package dev.traininghealth.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;

/**
 * The healthy MLP's data with NaN written into one input batch: feature columns 3 and 7 of rows
 * 5 and 6 of batch {@value #BAD_BATCH} of the first epoch (iteration {@value #BAD_BATCH}).
 * Ground truth: the loss of that iteration is NaN, and because the NaN reaches the gradient the
 * parameters are NaN from then on, so every later loss is NaN too.
 */
public final class NanBatch implements ZooJob {
  /** The batch (and iteration, in the first epoch) that holds the NaN. */
  public static final int BAD_BATCH = 7;

  public static final int[] BAD_ROWS = {5, 6};
  public static final int[] BAD_COLS = {3, 7};

  private final HealthyMlp base = new HealthyMlp();

  @Override
  public String name() {
    return "nan-batch";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "nan-batch",
        BAD_BATCH,
        "NaN in input columns 3 and 7 of rows 5 and 6 of batch " + BAD_BATCH
            + ": the loss is NaN from iteration " + BAD_BATCH + " on.");
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
        all.getFeatures().putScalar(BAD_BATCH * HealthyMlp.BATCH + row, col, Double.NaN);
      }
    }
    return new TestDataSetIterator(all, HealthyMlp.BATCH);
  }

  @Override
  public int epochs() {
    return 1;
  }
}
