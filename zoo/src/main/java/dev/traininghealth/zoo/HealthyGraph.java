package dev.traininghealth.zoo;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.dataset.api.iterator.TestDataSetIterator;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Healthy control as a graph: the healthy MLP's blobs through two parallel branches (32 ReLU and
 * 32 tanh units) merged into a softmax output, Adam 1e-2, batch 32, 3 epochs. A real graph (a
 * merge vertex, vertices named {@code relu}, {@code tanh}, {@code merge}, {@code out}), not a
 * chain. Ground truth: the loss falls steadily from about 1.1 to below 0.1, all finite.
 */
public final class HealthyGraph implements GraphZooJob {
  @Override
  public String name() {
    return "healthy-graph";
  }

  @Override
  public GroundTruth groundTruth() {
    return GroundTruth.healthy(
        "two-branch (ReLU, tanh) graph, merged, softmax, Adam 1e-2, three Gaussian blobs: loss"
            + " falls steadily to < 0.1.");
  }

  @Override
  public ComputationGraph graph(long seed) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-2))
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer("relu", branch(Activation.RELU), "in")
            .addLayer("tanh", branch(Activation.TANH), "in")
            .addVertex("merge", new MergeVertex(), "relu", "tanh")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(64)
                    .nOut(HealthyMlp.CLASSES)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "merge")
            .setOutputs("out")
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  private static DenseLayer branch(Activation activation) {
    return new DenseLayer.Builder().nIn(HealthyMlp.FEATURES).nOut(32).activation(activation).build();
  }

  @Override
  public DataSetIterator data(long seed) {
    return new TestDataSetIterator(HealthyMlp.blobs(seed), HealthyMlp.BATCH);
  }

  @Override
  public int epochs() {
    return 3;
  }
}
