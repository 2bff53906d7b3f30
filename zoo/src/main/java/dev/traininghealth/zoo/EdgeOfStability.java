package dev.traininghealth.zoo;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Edge of stability (Cohen et al. 2021), a healthy run that looks alarming: a 10-64-64-1 tanh MLP
 * on 200 points, full-batch gradient descent with eta = {@value #LEARNING_RATE}. The sharpness
 * (largest Hessian eigenvalue) rises until it reaches 2/eta = 10 and then hovers there while the
 * loss keeps falling, not monotonically. Normal, not a fault: a watcher must not alarm on it.
 */
public final class EdgeOfStability implements ZooJob {
  public static final double LEARNING_RATE = 0.2;
  public static final int STEPS = 600;
  static final int FEATURES = 10;
  static final int EXAMPLES = 200;

  @Override
  public String name() {
    return "edge-of-stability";
  }

  @Override
  public GroundTruth groundTruth() {
    return GroundTruth.healthy(
        "10-64-64-1 tanh, full-batch GD eta = 0.2: sharpness rises to 2/eta = 10 (by about step"
            + " 500) and hovers there while the loss keeps falling, non-monotonically. Normal.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(LEARNING_RATE))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(FEATURES).nOut(64).activation(Activation.TANH).build())
            .layer(new DenseLayer.Builder().nIn(64).nOut(64).activation(Activation.TANH).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(64)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Gaussian inputs, targets from a random 10-16-1 tanh teacher, scaled to unit variance. */
  public static DataSet points(long seed) {
    Random r = new Random(seed);
    double[][] teacher = new double[16][FEATURES];
    double[] out = new double[16];
    for (int k = 0; k < 16; k++) {
      out[k] = r.nextGaussian();
      for (int j = 0; j < FEATURES; j++) {
        teacher[k][j] = r.nextGaussian();
      }
    }
    double[][] x = new double[EXAMPLES][FEATURES];
    double[][] y = new double[EXAMPLES][1];
    for (int i = 0; i < EXAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = r.nextGaussian();
      }
      double f = 0;
      for (int k = 0; k < 16; k++) {
        double a = 0;
        for (int j = 0; j < FEATURES; j++) {
          a += teacher[k][j] * x[i][j];
        }
        f += out[k] * Math.tanh(a);
      }
      y[i][0] = f / 4;
    }
    return new DataSet(
        Nd4j.create(x).castTo(DataType.FLOAT), Nd4j.create(y).castTo(DataType.FLOAT));
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(points(seed), EXAMPLES);
  }

  @Override
  public int epochs() {
    return STEPS;
  }
}
