package dev.traininghealth.zoo;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * One training program of the zoo. Everything is a function of the seed, so two runs with the
 * same seed are identical (which the agent's "does not change the run" tests rely on).
 */
public interface ZooJob {
  /** Short name, used on the command line and as the job id in tests. */
  String name();

  GroundTruth groundTruth();

  /** The network, initialised, as the user's program would build it. */
  MultiLayerNetwork network(long seed);

  /** The training data; a fresh iterator each call. */
  DataSetIterator data(long seed);

  int epochs();

  /** Trains {@code net} as the user's program would: {@code fit} over the data for the epochs. */
  default void train(MultiLayerNetwork net, long seed) {
    net.fit(data(seed), epochs());
  }

  /** Builds and trains with no listener: the job as its user runs it. */
  default MultiLayerNetwork run(long seed) {
    MultiLayerNetwork net = network(seed);
    train(net, seed);
    return net;
  }
}
