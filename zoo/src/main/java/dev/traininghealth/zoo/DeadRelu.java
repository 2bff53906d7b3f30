package dev.traininghealth.zoo;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Dead ReLUs: {@value #HIDDEN} ReLU layers of width 32 whose biases start at -1, under a softmax
 * output, SGD 0.1, on the healthy MLP's three blobs. Each layer's pre-activations are shifted down
 * by 1 while its inputs shrink, so after a few layers no unit is ever positive; a dead layer passes
 * back a zero gradient, so nothing below it (nor it) can revive, and only the output bias learns.
 *
 * <p>Ground truth (measured on the first batch, seeds 1-9, and by {@code ZooPathologiesTest}): from
 * iteration 0, every unit of hidden layers {@value #FIRST_DEAD_LAYER}..9 (0-based) is dead, i.e.
 * never positive on any example of the batch, and stays dead (layer 2 is 84-100% dead, layer 1
 * 31-56%); every hidden layer's weight gradient is exactly zero at every iteration; the loss
 * starts at ln 3 = 1.0986 and stays within 2% of it.
 */
public final class DeadRelu implements ZooJob {
  static final int HIDDEN = 10;
  static final int WIDTH = 32;

  /** The first hidden layer (0-based) that is entirely dead, for every seed tried. */
  public static final int FIRST_DEAD_LAYER = 3;

  @Override
  public String name() {
    return "dead-relu";
  }

  @Override
  public GroundTruth groundTruth() {
    return new GroundTruth(
        "dead-relu",
        0,
        HIDDEN + "x32 ReLU stack with bias init -1: hidden layers " + FIRST_DEAD_LAYER
            + " and up are 100% dead from iteration 0; the loss stays near ln 3.");
  }

  @Override
  public MultiLayerNetwork network(long seed) {
    NeuralNetConfiguration.ListBuilder list =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Sgd(0.1))
            .weightInit(WeightInit.XAVIER)
            .list();
    int in = HealthyMlp.FEATURES;
    for (int i = 0; i < HIDDEN; i++) {
      list.layer(
          new DenseLayer.Builder()
              .nIn(in)
              .nOut(WIDTH)
              .activation(Activation.RELU)
              .biasInit(-1)
              .build());
      in = WIDTH;
    }
    list.layer(
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nIn(WIDTH)
            .nOut(HealthyMlp.CLASSES)
            .activation(Activation.SOFTMAX)
            .build());
    MultiLayerNetwork net = new MultiLayerNetwork(list.build());
    net.init();
    return net;
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(HealthyMlp.blobs(seed), HealthyMlp.BATCH);
  }

  @Override
  public int epochs() {
    return 2;
  }
}
