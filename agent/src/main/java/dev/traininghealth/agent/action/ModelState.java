package dev.traininghealth.agent.action;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * What the actions read and write of a network, the same way for a {@link MultiLayerNetwork} and
 * a {@link ComputationGraph}: the flattened parameters, the flattened updater state (Adam's m and
 * v, ...; null for plain SGD, which keeps none), the layers and their updater configurations.
 */
final class ModelState {
  private ModelState() {}

  static boolean supported(Model m) {
    return m instanceof MultiLayerNetwork || m instanceof ComputationGraph;
  }

  /** The live flattened parameter view. */
  static INDArray params(Model m) {
    return m.params();
  }

  /** The live flattened updater state, or null when the updater keeps none. */
  static INDArray updaterState(Model m) {
    Updater u = null;
    if (m instanceof MultiLayerNetwork) {
      u = ((MultiLayerNetwork) m).getUpdater(false);
    } else if (m instanceof ComputationGraph) {
      ComputationGraphUpdater g = ((ComputationGraph) m).getUpdater(false);
      return g == null ? null : g.getStateViewArray();
    }
    if (u instanceof BaseMultiLayerUpdater) {
      return ((BaseMultiLayerUpdater<?>) u).getStateViewArray();
    }
    return null;
  }

  static Layer[] layers(Model m) {
    if (m instanceof MultiLayerNetwork) {
      return ((MultiLayerNetwork) m).getLayers();
    }
    if (m instanceof ComputationGraph) {
      return ((ComputationGraph) m).getLayers();
    }
    return new Layer[0];
  }

  /**
   * Every distinct updater configuration with a learning rate, by identity: DL4J's updater blocks
   * read the learning rate from these very objects at every step, so changing them changes the
   * next step without rebuilding the updater (which {@code setLearningRate} would do).
   */
  static List<IUpdater> updaterConfigs(Model m) {
    Set<IUpdater> seen = Collections.newSetFromMap(new IdentityHashMap<IUpdater, Boolean>());
    List<IUpdater> out = new ArrayList<>();
    for (Layer layer : layers(m)) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      Map<String, INDArray> table = layer.paramTable();
      for (String p : table.keySet()) {
        IUpdater u = conf.getUpdaterByParam(p);
        if (u != null && u.hasLearningRate() && seen.add(u)) {
          out.add(u);
        }
      }
    }
    return out;
  }

  /** Copies {@code params} and {@code state} (may be null) into the model's live views. */
  static void restore(Model m, INDArray params, INDArray state) {
    INDArray p = params(m);
    if (p.length() != params.length()) {
      throw new IllegalArgumentException(
          "snapshot has " + params.length() + " parameters, the network " + p.length());
    }
    p.assign(params.reshape(p.shape()));
    INDArray s = updaterState(m);
    if (s != null) {
      if (state != null && state.length() == s.length()) {
        s.assign(state.reshape(s.shape()));
      } else {
        s.assign(0);
      }
    }
  }
}
