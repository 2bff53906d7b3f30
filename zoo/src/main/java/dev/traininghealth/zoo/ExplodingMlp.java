package dev.traininghealth.zoo;

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
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Exploding gradients: a 10-64-64-1 tanh MLP regressing a linear target with full-batch SGD at
 * learning rate 1.0, far above the stability limit of its identity output layer (2 / the largest
 * curvature, here about 0.03).
 *
 * <p>Ground truth (seeds 1-9, measured by {@code ZooPathologiesTest}): the loss grows 5-30x in
 * the first step and by more than 1e29 within 12; the (raw, batch-summed) gradient L2 norm first
 * exceeds 10x its iteration-0 value at iteration {@value #ONSET} (at iteration 1 it is 4.5-9.9x,
 * at 2 it is 59-910x), except seed 6 where it does so at iteration 1 already; the loss is inf or
 * NaN from iteration 13-15 (at the latest {@value #NON_FINITE_BY}) on.
 */
public final class ExplodingMlp implements ZooJob {
  /** First iteration whose gradient norm exceeds 10x the norm of iteration 0 (not seed 6). */
  public static final int ONSET = 2;

  /** The loss is inf or NaN from this iteration at the latest. */
  public static final int NON_FINITE_BY = 15;

  static final int FEATURES = 10;
  static final int EXAMPLES = 128;

  @Override
  public String name() {
    return "exploding";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "exploding",
        ONSET,
        "10-64-64-1 tanh MLP, full-batch SGD lr 1.0 on MSE: gradient norm > 10x its initial value"
            + " at iteration " + ONSET + ", loss inf/NaN by iteration " + NON_FINITE_BY + ".");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(1.0))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(dense(FEATURES, 64))
            .layer(dense(64, 64))
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

  private static DenseLayer dense(int in, int out) {
    return new DenseLayer.Builder().nIn(in).nOut(out).activation(Activation.TANH).build();
  }

  /** One full batch: Gaussian inputs, a noisy linear target of unit variance. */
  @Override
  public DataSetIterator data(long seed) {
    Random r = new Random(seed);
    double[] w = new double[FEATURES];
    for (int j = 0; j < FEATURES; j++) {
      w[j] = r.nextGaussian() / Math.sqrt(FEATURES);
    }
    INDArray x = Nd4j.create(EXAMPLES, FEATURES);
    INDArray y = Nd4j.create(EXAMPLES, 1);
    for (int i = 0; i < EXAMPLES; i++) {
      double t = 0;
      for (int j = 0; j < FEATURES; j++) {
        double v = r.nextGaussian();
        x.putScalar(i, j, v);
        t += w[j] * v;
      }
      y.putScalar(i, 0, t + 0.1 * r.nextGaussian());
    }
    return new TestDataSetIterator(new DataSet(x, y), EXAMPLES);
  }

  /** Each epoch is one full-batch step, so iterations and epochs coincide. */
  @Override
  public int epochs() {
    return 20;
  }
}
