package dev.traininghealth.agent.action;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic weight averaging: a running mean of the parameters, updated every {@code every}
 * iterations after {@code swa_start} and on each {@code swa_snapshot}, held in memory (one copy
 * of the parameters). When the network has BatchNorm, the inputs of the last few batches are kept
 * too, so that applying the average can recompute the BatchNorm statistics for it.
 * Training thread only.
 */
final class WeightAverage {
  private final int batchesKept;
  private INDArray mean;
  private int count;
  private int every;
  private int startedAt = -1;
  private int firstIter = -1;
  private int lastIter = -1;
  private final Deque<INDArray> recentInputs = new ArrayDeque<>();

  WeightAverage(int batchesKept) {
    this.batchesKept = batchesKept;
  }

  boolean active() {
    return startedAt >= 0;
  }

  int count() {
    return count;
  }

  /** Starts (or starts over) averaging every {@code every} iterations from {@code iter}. */
  void start(Model m, int every, int iter) {
    this.every = every;
    this.startedAt = iter;
    this.count = 0;
    this.mean = null;
    recentInputs.clear();
    add(m, iter);
  }

  /** Adds the current parameters to the average (starting it if needed). */
  void snapshot(Model m, int iter, int defaultEvery) {
    if (!active()) {
      start(m, defaultEvery, iter);
    } else {
      add(m, iter);
    }
  }

  void atBoundary(Model m, int iter) {
    if (!active()) {
      return;
    }
    if (iter > startedAt && (iter - startedAt) % every == 0) {
      add(m, iter);
    }
    if (batchesKept > 0 && m instanceof MultiLayerNetwork && BatchNormStats.present(m)) {
      INDArray in = ((MultiLayerNetwork) m).getInput();
      if (in != null) {
        recentInputs.addLast(in.dup());
        while (recentInputs.size() > batchesKept) {
          recentInputs.removeFirst();
        }
      }
    }
  }

  private void add(Model m, int iter) {
    INDArray p = ModelState.params(m);
    if (mean == null || mean.length() != p.length()) {
      mean = p.dup();
      count = 1;
      firstIter = iter;
    } else {
      count++;
      // mean += (p - mean) / count: numerically steadier than a sum divided at the end.
      mean.addi(p.sub(mean).divi(count));
    }
    lastIter = iter;
  }

  /**
   * Replaces the parameters with the average and ends averaging; says what it did, BatchNorm
   * included. Throws when there is nothing to apply.
   */
  String apply(Model m) {
    if (mean == null || count == 0) {
      throw new IllegalStateException("no weight average: send swa_start (or swa_snapshot) first");
    }
    ModelState.params(m).assign(mean.reshape(ModelState.params(m).shape()));
    String what =
        "parameters set to the average of " + count + " snapshots (iterations " + firstIter
            + ".." + lastIter + ")";
    if (BatchNormStats.present(m)) {
      List<INDArray> inputs = new ArrayList<>(recentInputs);
      if (!(m instanceof MultiLayerNetwork)) {
        what += "; the network has BatchNorm but is not a MultiLayerNetwork: statistics NOT"
            + " recomputed";
      } else if (inputs.isEmpty()) {
        what += "; the network has BatchNorm but no recent batches were kept"
            + " (actions.swa.bn.batches=0 or no iteration since swa_start): statistics NOT"
            + " recomputed";
      } else {
        int layers = BatchNormStats.recompute((MultiLayerNetwork) m, inputs);
        what += "; BatchNorm statistics of " + layers + " layer(s) recomputed over the last "
            + inputs.size() + " batches";
      }
    }
    stop();
    return what;
  }

  void stop() {
    startedAt = -1;
    mean = null;
    count = 0;
    recentInputs.clear();
  }
}
