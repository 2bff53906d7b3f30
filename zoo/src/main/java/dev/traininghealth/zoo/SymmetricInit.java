package dev.traininghealth.zoo;

import java.util.Random;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Symmetric initialisation: a 10-4-1 tanh network whose four hidden units start identical (same
 * incoming weights, bias and outgoing weight). Gradient descent gives identical units identical
 * gradients, so they stay identical for ever and the network is no better than a 10-1-1 one.
 * Written down but not tested here (it needs long training): the Hessian then has a small negative
 * eigenvalue (about -0.02 in the setting) along the directions that would split the units.
 */
public final class SymmetricInit implements ZooJob {
  static final int FEATURES = 10;
  static final int HIDDEN = 4;
  static final int EXAMPLES = 100;

  @Override
  public String name() {
    return "symmetric-init";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "symmetric-init",
        0,
        "10-4-1 tanh with identical hidden units: they stay identical (the gradient preserves the"
            + " symmetry), so the loss stalls above what four distinct units reach.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(0.1))
            .list()
            .layer(
                new DenseLayer.Builder().nIn(FEATURES).nOut(HIDDEN).activation(Activation.TANH).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(HIDDEN)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    Random r = new Random(seed);
    INDArray w1 = net.getParam("0_W");
    for (int j = 0; j < FEATURES; j++) {
      double v = r.nextGaussian() * 0.3;
      for (int k = 0; k < HIDDEN; k++) {
        w1.putScalar(j, k, v);
      }
    }
    net.getParam("0_b").assign(0.1);
    net.getParam("1_W").assign(0.2);
    net.getParam("1_b").assign(0);
    return net;
  }

  @Override
  public DataSetIterator data(long seed) {
    Random r = new Random(seed + 1);
    double[][] x = new double[EXAMPLES][FEATURES];
    double[][] y = new double[EXAMPLES][1];
    for (int i = 0; i < EXAMPLES; i++) {
      for (int j = 0; j < FEATURES; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i][0] = Math.sin(x[i][0]) + 0.5 * Math.cos(2 * x[i][1]) * x[i][2];
    }
    DataSet ds =
        new DataSet(
            Nd4j.create(x).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
            Nd4j.create(y).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT));
    return new TestDataSetIterator(ds, 20);
  }

  @Override
  public int epochs() {
    return 40;
  }
}
