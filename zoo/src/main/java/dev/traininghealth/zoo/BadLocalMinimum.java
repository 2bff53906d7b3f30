package dev.traininghealth.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A bad local minimum: a 1-2-1 ReLU network fitting y = |x| on x in {-2,-1,0,1,2}, started at
 * input weights (1, 0.5), biases (3, 2.5), output weights (0.1, -0.2), output bias 0. Both hidden
 * units are active on every point and stay so, so the network is linear in x there and gradient
 * descent converges to the best line, y = 1.2: DL4J's MSE loss mean((f - y)^2) = 0.56 (0.280 in
 * the 1/2 mean((f - y)^2) convention of the issue), with a positive semidefinite Hessian, while
 * relu(x) + relu(-x) = |x| reaches 0.
 */
public final class BadLocalMinimum implements ZooJob {
  /** The loss gradient descent ends at, as DL4J's MSE computes it. */
  public static final double FINAL_LOSS = 0.56;

  @Override
  public String name() {
    return "bad-local-minimum";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "bad-local-minimum",
        0, // the initialisation already sits in the basin of the bad minimum
        "1-2-1 ReLU on y = |x|, both units always active: GD ends at the best line y = 1.2, MSE"
            + " 0.56 (0.280 as 1/2 MSE), PSD Hessian, while 0 is reachable.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(0.02))
            .list()
            .layer(new DenseLayer.Builder().nIn(1).nOut(2).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(2)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    net.getParam("0_W").assign(Nd4j.createFromArray(new float[][] {{1f, 0.5f}}));
    net.getParam("0_b").assign(Nd4j.createFromArray(new float[][] {{3f, 2.5f}}));
    net.getParam("1_W").assign(Nd4j.createFromArray(new float[][] {{0.1f}, {-0.2f}}));
    net.getParam("1_b").assign(0);
    return net;
  }

  public static DataSet points() {
    float[][] x = {{-2}, {-1}, {0}, {1}, {2}};
    float[][] y = {{2}, {1}, {0}, {1}, {2}};
    return new DataSet(
        Nd4j.createFromArray(x).castTo(DataType.FLOAT), Nd4j.createFromArray(y).castTo(DataType.FLOAT));
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(points(), 5);
  }

  @Override
  public int epochs() {
    return 3000;
  }
}
