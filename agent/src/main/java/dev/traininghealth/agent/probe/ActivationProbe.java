package dev.traininghealth.agent.probe;

import dev.traininghealth.rules.event.Activations.LayerActivity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dead and saturated units, measured on a sampled batch with an extra forward pass in inference
 * mode (no dropout, BatchNorm on its running statistics, no RNG drawn, nothing stored): a unit of
 * a ReLU-family layer is dead when it is never positive on the batch (for convolutions, a unit
 * is a channel); an output of a sigmoid or tanh layer is saturated within 1% of its bounds.
 * The reductions run in ND4J, where the activations live.
 */
public final class ActivationProbe {
  private ActivationProbe() {}

  /** Statistics per layer whose activation has one, in network order; empty if none applies. */
  public static List<LayerActivity> measure(Model model, INDArray[] inputs) {
    List<LayerActivity> out = new ArrayList<>();
    if (model instanceof MultiLayerNetwork) {
      MultiLayerNetwork net = (MultiLayerNetwork) model;
      List<INDArray> acts = net.feedForward(inputs[0], false);
      Layer[] layers = net.getLayers();
      for (int i = 0; i < layers.length && i + 1 < acts.size(); i++) {
        add(out, layers[i], acts.get(i + 1));
      }
    } else if (model instanceof ComputationGraph) {
      ComputationGraph g = (ComputationGraph) model;
      Map<String, INDArray> acts = g.feedForward(inputs, false);
      for (Layer l : g.getLayers()) {
        INDArray a = acts.get(l.conf().getLayer().getLayerName());
        if (a != null) {
          add(out, l, a);
        }
      }
    }
    return out;
  }

  private static void add(List<LayerActivity> out, Layer layer, INDArray act) {
    org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
    if (!(conf instanceof BaseLayer) || ((BaseLayer) conf).getActivationFn() == null
        || act.rank() < 2) {
      return;
    }
    String fn = ((BaseLayer) conf).getActivationFn().getClass().getSimpleName()
        .toLowerCase(Locale.ROOT);
    String name = ModelInspector.name(layer);
    if (fn.contains("relu")) {
      out.add(LayerActivity.relu(name, deadFraction(act), blindFraction(act)));
    } else if (fn.contains("sigmoid")) {
      double sat = act.lt(0.01).castTo(DataType.FLOAT).sumNumber().doubleValue()
          + act.gt(0.99).castTo(DataType.FLOAT).sumNumber().doubleValue();
      out.add(LayerActivity.of(name, Double.NaN, sat / act.length()));
    } else if (fn.contains("tanh")) {
      double sat = org.nd4j.linalg.ops.transforms.Transforms.abs(act, true).gt(0.99)
          .castTo(DataType.FLOAT).sumNumber().doubleValue();
      out.add(LayerActivity.of(name, Double.NaN, sat / act.length()));
    }
  }

  /**
   * Share of examples (dimension 0) on which no unit is positive at any position. A narrow layer
   * can be blind to part of the batch while every unit is alive elsewhere: the zoo's 1-2-1 ReLU
   * with both units facing the same side outputs one constant on x <= 0 (MSE 0.40 on |x|).
   */
  static double blindFraction(INDArray act) {
    int[] rest = new int[act.rank() - 1];
    for (int d = 1; d < act.rank(); d++) {
      rest[d - 1] = d;
    }
    INDArray seen = act.gt(0).castTo(DataType.FLOAT).max(rest);
    return 1.0 - seen.meanNumber().doubleValue();
  }

  /** Share of units (dimension 1) that are not positive for any example and position. */
  static double deadFraction(INDArray act) {
    int[] others = new int[act.rank() - 1];
    for (int d = 0, k = 0; d < act.rank(); d++) {
      if (d != 1) {
        others[k++] = d;
      }
    }
    INDArray alive = act.gt(0).castTo(DataType.FLOAT).max(others);
    return 1.0 - alive.meanNumber().doubleValue();
  }
}
