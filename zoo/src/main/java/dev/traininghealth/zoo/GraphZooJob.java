package dev.traininghealth.zoo;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A zoo training program built as a {@link ComputationGraph}, DL4J's other network type, so that
 * watchers can be checked on graphs too. The same contract as {@link ZooJob}: everything is a
 * function of the seed.
 */
public interface GraphZooJob {
  /** Short name, used as the job id in tests. */
  String name();

  GroundTruth groundTruth();

  /** The graph, initialised, as the user's program would build it. */
  ComputationGraph graph(long seed);

  /** The training data; a fresh iterator each call. */
  DataSetIterator data(long seed);

  int epochs();

  /** Trains {@code graph} as the user's program would: {@code fit} over the data for the epochs. */
  default void train(ComputationGraph graph, long seed) {
    graph.fit(data(seed), epochs());
  }

  /** Builds and trains with no listener: the job as its user runs it. */
  default ComputationGraph run(long seed) {
    ComputationGraph graph = graph(seed);
    train(graph, seed);
    return graph;
  }
}
