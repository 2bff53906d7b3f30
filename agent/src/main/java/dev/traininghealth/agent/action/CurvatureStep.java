package dev.traininghealth.agent.action;

import dev.traininghealth.agent.curvature.CurvatureEstimate;
import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A step along the eigenvector of the most negative Hessian eigenvalue: the way out of a saddle
 * that gradient descent cannot see. The sign is chosen against the gradient (by a central
 * difference of the loss along the vector, so no gradient evaluation and no listener is involved;
 * at an exact saddle either sign descends and + is taken); the length starts at {@code step} and
 * is halved until the loss on the current batch drops, at most {@value #MAX_HALVINGS} times.
 * If it never drops the parameters are left as they were.
 */
final class CurvatureStep {
  static final int MAX_HALVINGS = 12;

  private CurvatureStep() {}

  /** Applies the step and says what it did; throws IllegalStateException when it cannot. */
  static String apply(MultiLayerNetwork net, CurvatureEstimate e, double step) {
    if (e == null) {
      throw new IllegalStateException("no curvature estimate available (is the curvature probe on?)");
    }
    if (e.isSkipped()) {
      throw new IllegalStateException("the latest curvature estimate was skipped: " + e.skipReason());
    }
    if (!(e.lambdaMin() < 0)) {
      throw new IllegalStateException(
          "no negative curvature: lambda_min = " + e.lambdaMin() + " in the latest estimate");
    }
    INDArray params = net.params();
    INDArray v = e.vectorMin();
    if (v == null || v.length() != params.length()) {
      throw new IllegalStateException(
          "the estimate's eigenvector does not fit this network ("
              + (v == null ? "none" : v.length() + " values") + ", " + params.length()
              + " parameters)");
    }
    INDArray input = net.getInput();
    INDArray labels = net.getLabels();
    if (input == null || labels == null) {
      throw new IllegalStateException("no current batch to measure the loss on");
    }
    v = v.reshape(params.shape()).castTo(params.dataType());
    double norm = v.norm2Number().doubleValue();
    if (!(norm > 0)) {
      throw new IllegalStateException("the eigenvector is zero");
    }
    v.divi(norm);
    DataSet batch = new DataSet(input, labels);
    INDArray start = params.dup();
    try {
      double loss0 = net.score(batch, false);
      double h = 1e-3 * Math.max(1, start.norm2Number().doubleValue());
      double up = lossAt(net, batch, start, v, h);
      double down = lossAt(net, batch, start, v, -h);
      double sign = up > down ? -1 : 1;
      double alpha = step;
      for (int i = 0; i <= MAX_HALVINGS; i++, alpha /= 2) {
        double loss = lossAt(net, batch, start, v, sign * alpha);
        if (loss < loss0) {
          return String.format(
              Locale.ROOT,
              "stepped %.4g along the lambda_min=%.4g eigenvector (sign %+d); batch loss %.6g ->"
                  + " %.6g",
              sign * alpha, e.lambdaMin(), (int) sign, loss0, loss);
        }
      }
      params.assign(start);
      throw new IllegalStateException(
          String.format(
              Locale.ROOT,
              "the batch loss %.6g did not drop along the eigenvector for any step from %.4g down"
                  + " to %.4g; parameters left unchanged",
              loss0, step, step / Math.pow(2, MAX_HALVINGS)));
    } catch (RuntimeException ex) {
      params.assign(start);
      throw ex;
    } finally {
      net.setInput(input);
      net.setLabels(labels);
    }
  }

  private static double lossAt(
      MultiLayerNetwork net, DataSet batch, INDArray start, INDArray v, double t) {
    net.params().assign(start).addi(v.mul(t));
    return net.score(batch, false);
  }
}
