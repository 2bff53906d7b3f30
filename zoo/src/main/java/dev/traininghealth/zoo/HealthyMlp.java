package dev.traininghealth.zoo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Healthy control: a 20-64-3 ReLU MLP with Adam 1e-2 on three well-separated Gaussian blobs.
 * Ground truth: the loss falls steadily from about 1.1 to below 0.1; no NaN, no plateau before
 * convergence, no exploding or vanishing gradients.
 */
public final class HealthyMlp implements ZooJob {
  static final int FEATURES = 20;
  static final int CLASSES = 3;
  static final int EXAMPLES = 640;
  static final int BATCH = 32;

  @Override
  public String name() {
    return "healthy-mlp";
  }

  @Override
  public GroundTruth groundTruth() {
    return GroundTruth.healthy(
        "20-64-3 ReLU MLP, Adam 1e-2, three Gaussian blobs: loss falls steadily to < 0.1.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-2))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(64).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(64)
                    .nOut(CLASSES)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(blobs(seed), BATCH);
  }

  @Override
  public int epochs() {
    return 3;
  }

  /** Three Gaussian blobs in 20 dimensions, one-hot labels, in a seeded shuffled order. */
  static DataSet blobs(long seed) {
    Random r = new Random(seed);
    double[][] centres = new double[CLASSES][FEATURES];
    for (double[] c : centres) {
      for (int j = 0; j < FEATURES; j++) {
        c[j] = r.nextGaussian() * 2;
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < EXAMPLES; i++) {
      order.add(i % CLASSES);
    }
    java.util.Collections.shuffle(order, r);
    INDArray x = Nd4j.create(EXAMPLES, FEATURES);
    INDArray y = Nd4j.zeros(EXAMPLES, CLASSES);
    for (int i = 0; i < EXAMPLES; i++) {
      int k = order.get(i);
      for (int j = 0; j < FEATURES; j++) {
        x.putScalar(i, j, centres[k][j] + r.nextGaussian());
      }
      y.putScalar(i, k, 1.0);
    }
    return new DataSet(x, y);
  }
}
