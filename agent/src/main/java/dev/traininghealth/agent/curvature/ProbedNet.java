package dev.traininghealth.agent.curvature;

import java.lang.reflect.Field;
import java.util.Collection;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * What the probe needs of a network, for {@link MultiLayerNetwork} and {@link ComputationGraph}
 * alike: the two share parameters and gradients as flat views and compute gradients the same way,
 * but differ in how inputs, labels, masks, the updater and the listener list are held.
 */
abstract class ProbedNet {
  final Model model;

  private ProbedNet(Model model) {
    this.model = model;
  }

  /** The adapter for {@code model}, or null when the probe does not support its kind. */
  static ProbedNet of(Model model) {
    if (model instanceof MultiLayerNetwork) {
      return new Multi((MultiLayerNetwork) model);
    }
    if (model instanceof ComputationGraph) {
      return new Graph((ComputationGraph) model);
    }
    return null;
  }

  INDArray params() {
    return model.params();
  }

  /** The flat gradient view that {@link #computeGradientAndScore()} fills; null before any. */
  INDArray gradients() {
    return model.getGradientsViewArray();
  }

  long numParams() {
    return model.numParams();
  }

  double score() {
    return model.score();
  }

  Gradient gradient() {
    return model.gradient();
  }

  abstract void computeGradientAndScore();

  abstract Layer[] layers();

  abstract Updater updater();

  abstract int iterationCount();

  abstract void setScore(double score);

  abstract void setGradient(Gradient gradient);

  abstract void clearLayerMaskArrays();

  abstract void clearLayersStates();

  /** The current inputs and labels (references), to be put back by {@link #restore}. */
  abstract Object[] saveBatch();

  abstract void restore(Object[] saved);

  /** Sets inputs, labels and masks for the probe's gradient evaluations. */
  abstract void setBatch(MultiDataSet batch);

  /** The batch the network last trained on, by reference; null when it has none. */
  abstract MultiDataSet currentBatch();

  abstract Class<?> listenerOwner();

  abstract Collection<TrainingListener> listeners();

  private static final class Multi extends ProbedNet {
    private final MultiLayerNetwork net;

    Multi(MultiLayerNetwork net) {
      super(net);
      this.net = net;
    }

    @Override
    void computeGradientAndScore() {
      net.computeGradientAndScore();
    }

    @Override
    Layer[] layers() {
      return net.getLayers();
    }

    @Override
    Updater updater() {
      return net.getUpdater(false);
    }

    @Override
    int iterationCount() {
      return net.getIterationCount();
    }

    @Override
    void setScore(double score) {
      net.setScore(score);
    }

    @Override
    void setGradient(Gradient gradient) {
      net.setGradient(gradient);
    }

    @Override
    void clearLayerMaskArrays() {
      net.clearLayerMaskArrays();
    }

    @Override
    void clearLayersStates() {
      net.clearLayersStates();
    }

    @Override
    Object[] saveBatch() {
      return new Object[] {net.getInput(), net.getLabels()};
    }

    @Override
    void restore(Object[] saved) {
      net.setInput((INDArray) saved[0]);
      net.setLabels((INDArray) saved[1]);
    }

    @Override
    void setBatch(MultiDataSet batch) {
      net.setInput(batch.getFeatures(0));
      net.setLabels(batch.getLabels(0));
      INDArray fm = batch.getFeaturesMaskArray(0);
      INDArray lm = batch.getLabelsMaskArray(0);
      if (fm != null || lm != null) {
        net.setLayerMaskArrays(fm, lm);
      }
    }

    @Override
    MultiDataSet currentBatch() {
      if (net.getInput() == null || net.getLabels() == null) {
        return null;
      }
      return new org.nd4j.linalg.dataset.MultiDataSet(
          new INDArray[] {net.getInput()},
          new INDArray[] {net.getLabels()},
          net.getMask() == null ? null : new INDArray[] {net.getMask()},
          null);
    }

    @Override
    Class<?> listenerOwner() {
      return MultiLayerNetwork.class;
    }

    @Override
    Collection<TrainingListener> listeners() {
      return net.getListeners();
    }
  }

  private static final class Graph extends ProbedNet {
    private static final Field LABELS = field("labels");
    private final ComputationGraph graph;

    Graph(ComputationGraph graph) {
      super(graph);
      this.graph = graph;
    }

    @Override
    void computeGradientAndScore() {
      graph.computeGradientAndScore();
    }

    @Override
    Layer[] layers() {
      return graph.getLayers();
    }

    @Override
    Updater updater() {
      return graph.getUpdater(false);
    }

    @Override
    int iterationCount() {
      return graph.getIterationCount();
    }

    @Override
    void setScore(double score) {
      graph.setScore(score);
    }

    @Override
    void setGradient(Gradient gradient) {
      graph.setGradient(gradient);
    }

    @Override
    void clearLayerMaskArrays() {
      graph.clearLayerMaskArrays();
    }

    @Override
    void clearLayersStates() {
      graph.clearLayersStates();
    }

    /** The graph has no public getter for its labels. */
    private INDArray[] labels() {
      try {
        return LABELS == null ? null : (INDArray[]) LABELS.get(graph);
      } catch (IllegalAccessException e) {
        return null;
      }
    }

    @Override
    Object[] saveBatch() {
      return new Object[] {graph.getInputs(), labels()};
    }

    @Override
    void restore(Object[] saved) {
      INDArray[] inputs = (INDArray[]) saved[0];
      INDArray[] labels = (INDArray[]) saved[1];
      if (inputs != null) {
        graph.setInputs(inputs);
      }
      if (labels != null) {
        graph.setLabels(labels);
      }
    }

    @Override
    void setBatch(MultiDataSet batch) {
      graph.setInputs(batch.getFeatures());
      graph.setLabels(batch.getLabels());
      if (batch.getFeaturesMaskArrays() != null || batch.getLabelsMaskArrays() != null) {
        graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
      }
    }

    @Override
    MultiDataSet currentBatch() {
      INDArray[] inputs = graph.getInputs();
      INDArray[] labels = labels();
      if (inputs == null || labels == null || inputs.length == 0 || inputs[0] == null) {
        return null;
      }
      return new org.nd4j.linalg.dataset.MultiDataSet(
          inputs, labels, graph.getInputMaskArrays(), graph.getLabelMaskArrays());
    }

    @Override
    Class<?> listenerOwner() {
      return ComputationGraph.class;
    }

    @Override
    Collection<TrainingListener> listeners() {
      return graph.getListeners();
    }

    private static Field field(String name) {
      try {
        Field f = ComputationGraph.class.getDeclaredField(name);
        f.setAccessible(true);
        return f;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}
