package dev.traininghealth.zoo;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Benchmark net, healthy: the LeNet-style CNN of {@code ANCHORS.md} (conv 5x5x20, max-pool 2x2,
 * conv 5x5x50, max-pool 2x2, dense 500 ReLU, softmax 10; Adam 1e-3, batch 64) on random 28x28x1
 * images given flat, as DL4J's MNIST iterator gives them (~237 ms a step on one core). Used to
 * time the agent on against off: {@link #batches} batches per epoch, {@link #epochs} epochs.
 * Ground truth: healthy; the loss is finite and starts near ln 10.
 */
public final class BenchLenet implements ZooJob {
  static final int BATCH = 64;

  private final int batches;
  private final int epochs;

  /** Four batches, one epoch: about a second of training. */
  public BenchLenet() {
    this(4, 1);
  }

  public BenchLenet(int batches, int epochs) {
    if (batches < 1 || epochs < 1) {
      throw new IllegalArgumentException("batches and epochs must be >= 1");
    }
    this.batches = batches;
    this.epochs = epochs;
  }

  @Override
  public String name() {
    return "bench-lenet";
  }

  @Override
  public GroundTruth groundTruth() {
    return GroundTruth.healthy(
        "LeNet-style CNN, Adam 1e-3, batch 64, random 28x28x1 data: finite loss near ln 10.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-3))
            .weightInit(WeightInit.XAVIER)
            .list()
            .layer(
                new ConvolutionLayer.Builder(5, 5)
                    .nIn(1)
                    .nOut(20)
                    .stride(1, 1)
                    .activation(Activation.IDENTITY)
                    .build())
            .layer(maxPool())
            .layer(
                new ConvolutionLayer.Builder(5, 5)
                    .nOut(50)
                    .stride(1, 1)
                    .activation(Activation.IDENTITY)
                    .build())
            .layer(maxPool())
            .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build())
            .layer(
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1))
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  private static SubsamplingLayer maxPool() {
    return new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
        .kernelSize(2, 2)
        .stride(2, 2)
        .build();
  }

  @Override
  public DataSetIterator data(long seed) {
    return RandomImages.iterator(seed, batches, BATCH, 28 * 28, 10);
  }

  @Override
  public int epochs() {
    return epochs;
  }

  public int batches() {
    return batches;
  }
}
