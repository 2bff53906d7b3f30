package dev.traininghealth.agent.action;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code reinit_units}: in each dense hidden layer, the units that contribute least to the next
 * layer get new incoming weights and bias from a fresh draw of the layer's own initialiser, and
 * outgoing weights of zero (continual backpropagation's replacement, Dohare et al. 2024, "Loss of
 * plasticity in deep continual learning"; ReDo, Sokar et al. 2023, does the same for dormant
 * units). A unit's contribution is its utility there: the mean |activation| over the current
 * batch times the summed |outgoing weights|, so a dead unit (never active) or one the next layer
 * ignores goes first.
 *
 * <p>Why zero outgoing weights: the new unit adds nothing to the output at first, so the loss does
 * not jump; the error still reaches the outgoing weights, which grow as the new unit becomes
 * useful. What the old unit gave the next layer on average (its mean activation on the batch
 * times its outgoing weights) moves into the next layer's bias, as continual backpropagation
 * does, so the output changes only by the old unit's variation around its mean, which a unit of
 * low utility barely has (none at all for a dead ReLU unit). On the zoo's XOR, a net that ended
 * with two hidden units computing the same NOR (MSE 0.167, out of reach of any learning-rate
 * schedule) learns XOR once its weaker copy is replaced. The touched entries' updater state
 * (Adam's moments, momentum) is zeroed: it belonged to the weights that were replaced.
 *
 * <p>At most half of a layer's units are replaced, so that a layer never loses what it computes.
 * {@link MultiLayerNetwork} only: a graph vertex can feed several consumers, and the outgoing
 * weights of a unit are then spread over layers this class would have to find.
 */
public final class UnitReinit {
  private UnitReinit() {}

  /** What was replaced, for the action's report. */
  public static String apply(MultiLayerNetwork net, int units, long seed) {
    INDArray input = net.getInput();
    if (input == null) {
      throw new IllegalStateException("the network has no input batch yet to rank units on");
    }
    Layer[] layers = net.getLayers();
    List<INDArray> acts = net.feedForward(input, false);
    MultiLayerNetwork fresh = FreshInit.network(net, seed);
    INDArray flat = net.params();
    INDArray state = ModelState.updaterState(net);
    List<UpdaterBlock> blocks = updaterBlocks(net);
    List<String> done = new ArrayList<>();
    for (int i = 0; i + 1 < layers.length; i++) {
      if (!replaceable(net, i)) {
        continue;
      }
      INDArray w = layers[i].getParam("W");
      INDArray b = layers[i].getParam("b");
      INDArray next = layers[i + 1].getParam("W");
      INDArray nextBias = layers[i + 1].getParam("b");
      int width = (int) w.size(1);
      int take = Math.min(units, width / 2);
      if (take == 0 || next.size(0) != width) {
        continue;
      }
      double[] utility = utility(acts.get(i + 1), next);
      INDArray mean = acts.get(i + 1).mean(0);
      Integer[] order = new Integer[width];
      for (int j = 0; j < width; j++) {
        order[j] = j;
      }
      Arrays.sort(order, (x, y) -> Double.compare(utility[x], utility[y]));
      INDArray freshW = fresh.getLayer(i).getParam("W");
      INDArray freshB = fresh.getLayer(i).getParam("b");
      StringBuilder what = new StringBuilder();
      for (int k = 0; k < take; k++) {
        int j = order[k];
        // Whole rows and columns at a time: on a GPU every scalar access is a round trip.
        w.getColumn(j).assign(freshW.getColumn(j));
        clearState(index(flat, w, 0, j), w.size(0), w.stride(0), state, blocks);
        if (b != null) {
          // DL4J's bias is [nOut] in newer versions and [1, nOut] in older ones.
          long[] at = b.rank() == 1 ? new long[] {j} : new long[] {0, j};
          b.putScalar(at, freshB.getDouble(at));
          clearState(index(flat, b, at), 1, 1, state, blocks);
        }
        INDArray outgoing = next.getRow(j);
        if (nextBias != null) {
          nextBias.addi(outgoing.mul(mean.getDouble(j)).reshape(nextBias.shape()));
        }
        outgoing.assign(0);
        clearState(index(flat, next, j, 0), next.size(1), next.stride(1), state, blocks);
        what.append(k == 0 ? "" : ", ")
            .append(String.format(Locale.ROOT, "unit %d (utility %.3g)", j, utility[j]));
      }
      done.add(String.format(Locale.ROOT, "layer %d: %d of %d units, %s (median utility %.3g)",
          i, take, width, what, utility[order[width / 2]]));
    }
    if (done.isEmpty()) {
      throw new IllegalStateException(
          "no dense hidden layer of at least 2 units followed by a dense or output layer to"
              + " reinitialise units in");
    }
    return "reinitialised the least useful units: " + String.join("; ", done)
        + "; incoming weights and bias from a fresh draw (seed " + seed + "), outgoing weights"
        + " zero, the old units' mean contribution moved into the next layer's bias"
        + (state != null ? "; their updater state reset" : "");
  }

  /** A dense layer whose output goes straight into a dense or output layer's weights. */
  private static boolean replaceable(MultiLayerNetwork net, int i) {
    org.deeplearning4j.nn.conf.layers.Layer conf = net.getLayer(i).conf().getLayer();
    org.deeplearning4j.nn.conf.layers.Layer nextConf = net.getLayer(i + 1).conf().getLayer();
    return conf instanceof DenseLayer
        && (nextConf instanceof DenseLayer || nextConf instanceof BaseOutputLayer)
        && net.getLayerWiseConfigurations().getInputPreProcess(i + 1) == null
        && net.getLayer(i).getParam("W") != null
        && net.getLayer(i + 1).getParam("W") != null;
  }

  /** Mean |activation| per unit times its summed |outgoing weights|. */
  static double[] utility(INDArray activation, INDArray nextW) {
    INDArray meanAbs = Transforms.abs(activation, true).mean(0);
    INDArray outAbs = Transforms.abs(nextW, true).sum(1);
    double[] u = new double[(int) nextW.size(0)];
    for (int j = 0; j < u.length; j++) {
      u[j] = meanAbs.getDouble(j) * outAbs.getDouble(j);
    }
    return u;
  }

  private static List<UpdaterBlock> updaterBlocks(MultiLayerNetwork net) {
    Updater u = net.getUpdater(false);
    if (u instanceof BaseMultiLayerUpdater) {
      return ((BaseMultiLayerUpdater<?>) u).getUpdaterBlocks();
    }
    return List.of();
  }

  /** Where an entry of a parameter array (a view of the flattened parameters) sits in them. */
  private static long index(INDArray flat, INDArray param, long... at) {
    long p = param.offset() - flat.offset();
    for (int d = 0; d < at.length; d++) {
      p += at[d] * param.stride(d);
    }
    return p;
  }

  /**
   * Zeroes the updater state of {@code n} parameter entries, {@code step} apart from {@code p} in
   * the flattened parameters. DL4J's updaters lay a block's state out as equal consecutive
   * slices, one per kind of state (Adam: m, then v), each as long as the block's parameters, so
   * an entry's state sits at the same position in each slice.
   */
  private static void clearState(long p, long n, long step, INDArray state,
      List<UpdaterBlock> blocks) {
    if (state == null) {
      return;
    }
    boolean contiguous = step == 1 && n > 1 && sameBlock(p, p + n - 1, blocks);
    if (contiguous) {
      for (long at : stateIndices(p, blocks)) {
        // A view, so the assignment reaches the updater ([1, N] in DL4J, [N] allowed).
        (state.rank() == 2
                ? state.get(NDArrayIndex.point(0), NDArrayIndex.interval(at, at + n))
                : state.get(NDArrayIndex.interval(at, at + n)))
            .assign(0);
      }
      return;
    }
    for (long k = 0; k < n; k++) {
      for (long at : stateIndices(p + k * step, blocks)) {
        state.putScalar(at, 0.0);
      }
    }
  }

  private static boolean sameBlock(long first, long last, List<UpdaterBlock> blocks) {
    for (UpdaterBlock block : blocks) {
      if (first >= block.getParamOffsetStart() && first < block.getParamOffsetEnd()) {
        return last < block.getParamOffsetEnd();
      }
    }
    return false;
  }

  /** Where parameter entry {@code p}'s state sits, one index per slice of its block. */
  private static long[] stateIndices(long p, List<UpdaterBlock> blocks) {
    for (UpdaterBlock block : blocks) {
      long start = block.getParamOffsetStart();
      long n = block.getParamOffsetEnd() - start;
      if (p < start || p >= block.getParamOffsetEnd()) {
        continue;
      }
      long viewStart = block.getUpdaterViewOffsetStart();
      long[] out = new long[(int) ((block.getUpdaterViewOffsetEnd() - viewStart) / n)];
      for (int k = 0; k < out.length; k++) {
        out[k] = viewStart + k * n + (p - start);
      }
      return out;
    }
    return new long[0];
  }
}
