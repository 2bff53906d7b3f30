package dev.traininghealth.zoo;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A strict saddle: a linear 10-8-1 network with every weight and bias 0, on centred data, trained
 * by full-batch gradient descent. The gradient is exactly 0 there (the hidden activations are 0,
 * the output weights are 0 and the labels sum to 0), so gradient descent never moves; yet it is
 * no minimum: the Hessian couples W1 and w2 through c = E[y x], with eigenvalues +-2||c|| (each
 * eight times) and 2 (the output bias), so lambda_min = -lambda_max when ||c|| > 1.
 *
 * <p>The data are small integers, each point followed by its negation, so every sum the gradient
 * takes is exact in float32 too and the zero gradient is exactly zero.
 */
public final class Saddle implements ZooJob {
  static final int FEATURES = 10;
  static final int HIDDEN = 8;
  static final int EXAMPLES = 64;

  @Override
  public String name() {
    return "saddle";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "saddle",
        0,
        "linear 10-8-1 at w = 0 on centred data: gradient exactly 0 from the start, loss stuck at"
            + " mean(y^2); Hessian extremes +-2||E[yx]|| (lambda_min = -lambda_max != 0).");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(0.05))
            .weightInit(WeightInit.ZERO)
            .biasInit(0)
            .list()
            .layer(
                new DenseLayer.Builder()
                    .nIn(FEATURES)
                    .nOut(HIDDEN)
                    .activation(Activation.IDENTITY)
                    .build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(HIDDEN)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Points x in {-2..2}^10 with y = a.x, a in {-1..1}^10; point 2i+1 is minus point 2i. */
  public static DataSet centredData(long seed) {
    Random r = new Random(seed);
    double[] a = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      a[j] = r.nextInt(3) - 1;
    }
    a[0] = 1; // never all zero
    double[][] x = new double[EXAMPLES][FEATURES];
    double[][] y = new double[EXAMPLES][1];
    for (int i = 0; i < EXAMPLES; i += 2) {
      double dot = 0;
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = r.nextInt(5) - 2;
        x[i + 1][j] = -x[i][j];
        dot += a[j] * x[i][j];
      }
      y[i][0] = dot;
      y[i + 1][0] = -dot;
    }
    return new DataSet(
        Nd4j.create(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
        Nd4j.create(y).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(centredData(seed), EXAMPLES);
  }

  @Override
  public int epochs() {
    return 50;
  }
}
