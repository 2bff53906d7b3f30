package dev.traininghealth.agent.curvature;

import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam's diagonal preconditioner P = diag(sqrt(v_hat) + eps), v_hat = v / (1 - beta2^t), read from
 * the updater state (only read). DL4J keeps one updater block per run of consecutive parameters
 * with the same updater configuration; an Adam block's state view is [m, v], and
 * {@link AdamUpdater#getV()} is the view of v for the block's parameters
 * [paramOffsetStart, paramOffsetEnd).
 *
 * <p>Stability of Adam is governed by lambda_max(P^-1 H), which is the largest eigenvalue of the
 * symmetric P^-1/2 H P^-1/2; {@link #inverseSqrt} gives P^-1/2 for that operator.
 */
final class AdamPreconditioner {
  private AdamPreconditioner() {}

  /**
   * Writes P^-1/2 over all parameters into {@code out} and returns true, or returns false when the
   * network has no updater yet or not every parameter is under Adam (a partly-Adam network has no
   * single threshold to compare with). In place: no parameter-sized allocation.
   */
  static boolean inverseSqrt(ProbedNet net, INDArray out) {
    Updater updater = net.updater();
    if (!(updater instanceof BaseMultiLayerUpdater)) {
      return false;
    }
    long n = net.numParams();
    long covered = 0;
    int t = Math.max(1, net.iterationCount());
    for (UpdaterBlock block : ((BaseMultiLayerUpdater<?>) updater).getUpdaterBlocks()) {
      if (!(block.getGradientUpdater() instanceof AdamUpdater)) {
        return false;
      }
      AdamUpdater adam = (AdamUpdater) block.getGradientUpdater();
      INDArray v = adam.getV();
      if (v == null) {
        return false;
      }
      Adam conf = adam.getConfig();
      double correction = 1 - Math.pow(conf.getBeta2(), t);
      INDArray p =
          out.get(NDArrayIndex.interval(block.getParamOffsetStart(), block.getParamOffsetEnd()));
      p.assign(v.reshape(v.length())).muli(1 / correction);
      Transforms.sqrt(p, false).addi(conf.getEpsilon());
      Transforms.pow(p, -0.5, false);
      covered += block.getParamOffsetEnd() - block.getParamOffsetStart();
    }
    return covered == n;
  }
}
