package dev.traininghealth.agent.action;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parameters drawn afresh from the network's own configuration (its weight and bias
 * initialisers) with another seed: what {@code restart} with {@code from: init} puts in place of
 * a checkpoint. A checkpoint of a run caught in a bad basin lies in that basin, and perturbing
 * it (weights only, a few percent) does not leave it; a new draw is the random restart that does.
 * The network is built once more from a copy of its configuration, so it costs one
 * initialisation and touches neither the running network's configuration nor ND4J's random
 * state beyond the reseeding DL4J's {@code init} does itself.
 */
final class FreshInit {
  /** The {@code from} value of {@code restart} that asks for a fresh initialisation. */
  static final String FROM = "init";

  private FreshInit() {}

  /** The parameters of a new initialisation of {@code m}'s configuration under {@code seed}. */
  static INDArray draw(Model m, long seed) {
    if (m instanceof MultiLayerNetwork) {
      return network((MultiLayerNetwork) m, seed).params();
    }
    if (m instanceof ComputationGraph) {
      ComputationGraphConfiguration conf = ((ComputationGraph) m).getConfiguration().clone();
      conf.getDefaultConfiguration().setSeed(seed);
      ComputationGraph fresh = new ComputationGraph(conf);
      fresh.init();
      return fresh.params();
    }
    throw new IllegalArgumentException("unsupported model type " + m.getClass().getName());
  }

  /** A new network of {@code net}'s configuration, initialised under {@code seed}. */
  static MultiLayerNetwork network(MultiLayerNetwork net, long seed) {
    MultiLayerConfiguration conf = net.getLayerWiseConfigurations().clone();
    for (NeuralNetConfiguration c : conf.getConfs()) {
      c.setSeed(seed);
    }
    MultiLayerNetwork fresh = new MultiLayerNetwork(conf);
    fresh.init();
    return fresh;
  }
}
