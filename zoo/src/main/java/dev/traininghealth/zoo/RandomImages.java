package dev.traininghealth.zoo;

import java.util.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random "images" for the benchmark nets: uniform pixels in [0, 1), random one-hot labels. */
final class RandomImages {
  private RandomImages() {}

  static DataSetIterator iterator(long seed, int batches, int batch, int pixels, int classes) {
    // java.util.Random, not ND4J's global generator: that one is what DL4J seeds for weight init.
    Random r = new Random(seed);
    int examples = batches * batch;
    float[] x = new float[examples * pixels];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    float[] y = new float[examples * classes];
    for (int i = 0; i < examples; i++) {
      y[i * classes + r.nextInt(classes)] = 1f;
    }
    DataSet all =
        new DataSet(
            Nd4j.create(x, new long[] {examples, pixels}, 'c'),
            Nd4j.create(y, new long[] {examples, classes}, 'c'));
    return new TestDataSetIterator(all, batch);
  }
}
