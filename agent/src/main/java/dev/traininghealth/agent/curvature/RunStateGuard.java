package dev.traininghealth.agent.curvature;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.weightnoise.IWeightNoise;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Snapshot of everything a gradient evaluation can touch, restored on {@link #close()}, so that
 * the probe leaves the run bit for bit as it found it.
 *
 * <p>While open: the network has no listeners (DL4J calls {@code onForwardPass} and
 * {@code onBackwardPass} from inside {@code computeGradientAndScore}, which would reach the user's
 * listeners and ours), and dropout and weight noise are switched off, so the probe measures the
 * deterministic Hessian of the loss without dropout (in training mode otherwise, e.g. BatchNorm on
 * batch statistics) and draws nothing from ND4J's random generator. The generator's state is
 * restored all the same, in case a layer draws from it anyway.
 *
 * <p>The listener list is swapped by replacing the network's field, not by {@code setListeners}:
 * the probe runs inside DL4J's loop over that very collection, and clearing and refilling it
 * would make the loop throw {@link java.util.ConcurrentModificationException}.
 */
final class RunStateGuard implements AutoCloseable {
  private final ProbedNet net;
  private final Field listenersField;
  private final INDArray params;
  private final INDArray gradients;
  private final double score;
  private final Gradient gradient;
  private final Object[] batch;
  private final long rngRoot;
  private final long rngNode;
  private final Collection<TrainingListener> listeners;
  private final List<IDropout> dropouts = new ArrayList<>();
  private final List<IWeightNoise> noises = new ArrayList<>();

  private RunStateGuard(ProbedNet net, Vectors.Scratch scratch) {
    this.net = net;
    this.listenersField = listenersField(net.listenerOwner());
    INDArray p = net.params();
    this.params =
        scratch
            .get(Vectors.Slot.SAVED_PARAMS, p.dataType(), p.length())
            .assign(p.reshape(p.length()));
    INDArray g = net.gradients();
    this.gradients =
        g == null
            ? null
            : scratch
                .get(Vectors.Slot.SAVED_GRADIENTS, g.dataType(), g.length())
                .assign(g.reshape(g.length()));
    this.score = net.score();
    this.gradient = net.gradient();
    this.batch = net.saveBatch();
    Random rng = Nd4j.getRandom();
    this.rngRoot = rng.rootState();
    this.rngNode = rng.nodeState();
    this.listeners = net.listeners();
    detachListeners();
    for (Layer layer : net.layers()) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      dropouts.add(conf.getIDropout());
      conf.setIDropout(null);
      if (conf instanceof BaseLayer) {
        BaseLayer base = (BaseLayer) conf;
        noises.add(base.getWeightNoise());
        base.setWeightNoise(null);
      } else {
        noises.add(null);
      }
    }
  }

  /** Saves into {@code scratch}'s vectors rather than fresh copies (see {@link Vectors}). */
  static RunStateGuard open(ProbedNet net, Vectors.Scratch scratch) {
    return new RunStateGuard(net, scratch);
  }

  static RunStateGuard open(MultiLayerNetwork net) {
    return open(ProbedNet.of(net), new Vectors.Scratch());
  }

  /** The parameters as they were when the guard opened, flattened (a copy; do not modify). */
  INDArray savedParams() {
    return params;
  }

  @Override
  public void close() {
    INDArray p = net.params();
    p.reshape(p.length()).assign(params);
    if (gradients != null) {
      INDArray g = net.gradients();
      g.reshape(g.length()).assign(gradients);
    }
    net.clearLayerMaskArrays();
    net.clearLayersStates();
    net.restore(batch);
    net.setScore(score);
    net.setGradient(gradient);
    Layer[] layers = net.layers();
    for (int i = 0; i < layers.length; i++) {
      org.deeplearning4j.nn.conf.layers.Layer conf = layers[i].conf().getLayer();
      conf.setIDropout(dropouts.get(i));
      if (conf instanceof BaseLayer) {
        ((BaseLayer) conf).setWeightNoise(noises.get(i));
      }
    }
    Nd4j.getRandom().setStates(rngRoot, rngNode);
    attachListeners();
  }

  private void detachListeners() {
    if (listenersField != null) {
      setField(new ArrayList<TrainingListener>());
    } else if (listeners != null && !listeners.isEmpty()) {
      throw new IllegalStateException("cannot detach the network's listeners safely");
    }
  }

  private void attachListeners() {
    if (listenersField != null) {
      setField(listeners);
    }
  }

  private void setField(Collection<TrainingListener> value) {
    try {
      listenersField.set(net.model, value);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot swap the network's listeners", e);
    }
  }

  private static Field listenersField(Class<?> owner) {
    try {
      Field f = owner.getDeclaredField("trainingListeners");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
