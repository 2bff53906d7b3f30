package dev.traininghealth.agent.curvature;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Hessian-vector products of the mean loss of one batch by central differences of gradients:
 * {@code Hv ~ (g(w + h v) - g(w - h v)) / (2 h)} with {@code h = eps * max(1, ||w||) / ||v||}.
 * Central differences cost two gradient evaluations and have O(h^2) truncation error; scaling h
 * with the parameter norm keeps the relative perturbation, and so the balance between truncation
 * and rounding error, the same for small and large networks.
 *
 * <p>DL4J's gradient is the sum over the batch (the updater divides by the batch size later), so
 * it is divided by the batch size here. The loss is the data loss only: L1/L2 and weight decay
 * are applied by the updater and are not in the gradient. Parameters that are not trained by
 * gradient (BatchNorm's running mean and variance, which DL4J keeps among the parameters) are
 * masked out: the operator is zero on them.
 *
 * <p>Must only be used inside a {@link RunStateGuard}; it leaves the parameters at the saved
 * values after every product.
 */
final class HessianVectorProduct implements SymmetricOperator {
  private final ProbedNet net;
  private final INDArray params;
  private final INDArray base;
  private final INDArray mask;
  private final INDArray gradPlus;
  private final double step;
  private final double batchSize;
  private int gradientEvaluations;

  /**
   * @param base the parameters to differentiate at (the saved copy; the network's own are moved)
   * @param gradPlus scratch vector of the parameter count
   */
  HessianVectorProduct(
      MultiLayerNetwork net, INDArray base, double eps, int batchSize, INDArray gradPlus) {
    this(ProbedNet.of(net), base, eps, batchSize, gradPlus);
  }

  HessianVectorProduct(
      ProbedNet net, INDArray base, double eps, int batchSize, INDArray gradPlus) {
    this.net = net;
    this.params = flat(net.params());
    this.base = flat(base);
    this.mask = nonGradientMask(net);
    this.gradPlus = gradPlus;
    this.step = eps * Math.max(1.0, Vectors.norm(this.base));
    this.batchSize = batchSize;
  }

  @Override
  public long dimension() {
    return params.length();
  }

  /** Zero on masked coordinates: start vectors go through this so they live in the right space. */
  void project(INDArray v) {
    if (mask != null) {
      v.muli(mask);
    }
  }

  /**
   * Two gradient evaluations plus about eight elementwise passes over the parameters, all in
   * place: the network computes its gradient into its own flattened view, which is copied once.
   */
  @Override
  public void apply(INDArray v, INDArray out) {
    double norm = Vectors.norm(v);
    if (norm == 0) {
      out.assign(0);
      return;
    }
    double h = step / norm;
    params.assign(base);
    Vectors.axpy(h, v, params);
    gradPlus.assign(gradient());
    params.assign(base);
    Vectors.axpy(-h, v, params);
    gradPlus.subi(gradient());
    out.assign(gradPlus).muli(1.0 / (2 * h * batchSize));
    params.assign(base);
    project(out);
  }

  int gradientEvaluations() {
    return gradientEvaluations;
  }

  private INDArray gradient() {
    net.computeGradientAndScore();
    gradientEvaluations++;
    return flat(net.gradients());
  }

  static INDArray flat(INDArray a) {
    return a.rank() == 1 ? a : a.reshape(a.length());
  }

  /**
   * 1 for parameters trained by gradient, 0 for the others; null when all are. Asked of each
   * layer, as {@code MultiLayerNetwork.updaterDivideByMinibatch} does, so that it works for graphs
   * too.
   */
  private static INDArray nonGradientMask(ProbedNet net) {
    INDArray all = net.params();
    INDArray mask = null;
    for (Layer layer : net.layers()) {
      for (Map.Entry<String, INDArray> e : layer.paramTable().entrySet()) {
        if (!layer.updaterDivideByMinibatch(e.getKey())) {
          if (mask == null) {
            mask = Nd4j.ones(all.dataType(), all.length());
          }
          long from = e.getValue().offset() - all.offset();
          mask.get(NDArrayIndex.interval(from, from + e.getValue().length())).assign(0);
        }
      }
    }
    return mask;
  }
}
