package dev.traininghealth.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Benchmark net, healthy: the MLP 784-1024-1024-10 (ReLU, softmax, Adam 1e-3, batch 128) on
 * random data that the overhead figures in {@code ANCHORS.md} were measured on (~59 ms a step on
 * one core). Used to time the agent on against off, so it is only a fixed amount of honest work:
 * {@link #batches} batches per epoch, {@link #epochs} epochs. Ground truth: healthy; the loss is
 * finite and starts near ln 10 (random labels, so it need not fall much).
 */
public final class BenchMlp implements ZooJob {
  static final int BATCH = 128;

  private final int batches;
  private final int epochs;

  /** Eight batches, one epoch: about half a second of training. */
  public BenchMlp() {
    this(8, 1);
  }

  public BenchMlp(int batches, int epochs) {
    if (batches < 1 || epochs < 1) {
      throw new IllegalArgumentException("batches and epochs must be >= 1");
    }
    this.batches = batches;
    this.epochs = epochs;
  }

  @Override
  public String name() {
    return "bench-mlp";
  }

  @Override
  public GroundTruth groundTruth() {
    return GroundTruth.healthy(
        "MLP 784-1024-1024-10, ReLU, Adam 1e-3, batch 128, random data: finite loss near ln 10.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-3))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(new DenseLayer.Builder().nIn(784).nOut(1024).activation(Activation.RELU).build())
            .layer(new DenseLayer.Builder().nIn(1024).nOut(1024).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(1024)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  @Override
  public DataSetIterator data(long seed) {
    return RandomImages.iterator(seed, batches, BATCH, 784, 10);
  }

  @Override
  public int epochs() {
    return epochs;
  }

  public int batches() {
    return batches;
  }
}
