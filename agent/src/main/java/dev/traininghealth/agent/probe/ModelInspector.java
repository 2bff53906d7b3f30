package dev.traininghealth.agent.probe;

import dev.traininghealth.rules.event.LayerInfo;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

/** Reads what a {@code job_started} event says about a model, and its current learning rate. */
public final class ModelInspector {
  private ModelInspector() {}

  /** The layers in training order, with their kind, activation and parameter count. */
  public static List<LayerInfo> layers(Model model) {
    List<LayerInfo> out = new ArrayList<>();
    for (Layer l : layersOf(model)) {
      org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
      String activation = "";
      if (conf instanceof BaseLayer && ((BaseLayer) conf).getActivationFn() != null) {
        activation = ((BaseLayer) conf).getActivationFn().toString();
      }
      out.add(LayerInfo.of(name(l), conf.getClass().getSimpleName(), activation, l.numParams()));
    }
    return out;
  }

  /** The layer's name as DL4J reports it, or its index. */
  public static String name(Layer l) {
    String n = l.conf().getLayer().getLayerName();
    return n == null || n.isEmpty() ? String.valueOf(l.getIndex()) : n;
  }

  static Layer[] layersOf(Model model) {
    if (model instanceof MultiLayerNetwork) {
      return ((MultiLayerNetwork) model).getLayers();
    }
    if (model instanceof ComputationGraph) {
      return ((ComputationGraph) model).getLayers();
    }
    return new Layer[0];
  }

  /** The updater of the first layer that has one, e.g. {@code Adam}; empty if none. */
  public static String updater(Model model) {
    IUpdater u = firstUpdater(model);
    return u == null ? "" : u.getClass().getSimpleName();
  }

  private static IUpdater firstUpdater(Model model) {
    for (Layer l : layersOf(model)) {
      org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
      if (conf instanceof BaseLayer && l.numParams() > 0) {
        return ((BaseLayer) conf).getIUpdater();
      }
    }
    return null;
  }

  /**
   * The learning rate in use now (of the first layer with parameters), following the updater's
   * schedule if it has one; NaN when the updater has no learning rate.
   */
  public static double learningRate(Model model, int iteration, int epoch) {
    IUpdater u = firstUpdater(model);
    if (u == null || !u.hasLearningRate()) {
      return Double.NaN;
    }
    return u.getLearningRate(iteration, epoch);
  }

  /** {@code CPU} or {@code CUDA}, from the ND4J backend in use. */
  public static String backend() {
    String b = Nd4j.getBackend().getClass().getSimpleName();
    return b.toLowerCase(java.util.Locale.ROOT).contains("cu") ? "CUDA" : "CPU";
  }
}
