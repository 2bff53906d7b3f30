package dev.traininghealth.agent.curvature;

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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small nets and data for the oracle tests. */
final class TinyNets {
  private TinyNets() {}

  /** A 3-6-2 tanh MLP (38 parameters), MSE, random init: an indefinite Hessian. */
  static MultiLayerNetwork tanhMlp(DataType type, long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(type)
            .updater(new Sgd(0.1))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(3).nOut(6).activation(Activation.TANH).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(6)
                    .nOut(2)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    // Larger weights than Xavier's so the tanh curvature terms matter.
    net.params().muli(2.5);
    return net;
  }

  static DataSet regression(DataType type, long seed, int examples) {
    Random r = new Random(seed);
    double[][] x = new double[examples][3];
    double[][] y = new double[examples][2];
    for (int i = 0; i < examples; i++) {
      for (int j = 0; j < 3; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i][0] = Math.sin(x[i][0] + x[i][1]);
      y[i][1] = x[i][2] * x[i][0];
    }
    return new DataSet(Nd4j.create(x).castTo(type), Nd4j.create(y).castTo(type));
  }
}
