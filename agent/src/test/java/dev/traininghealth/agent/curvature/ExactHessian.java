package dev.traininghealth.agent.curvature;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The oracle: the full Hessian of the mean loss of a float64 network of a few dozen parameters,
 * column by column from central differences of exact gradients (truncation ~h^2 = 1e-10), and
 * its eigenvalues by a plain cyclic Jacobi solver written here, independent of the probe's.
 */
final class ExactHessian {
  private ExactHessian() {}

  static double[][] of(MultiLayerNetwork net, DataSet batch) {
    INDArray params = net.params();
    INDArray saved = params.dup();
    int n = (int) params.length();
    double h = 1e-5;
    double[][] hess = new double[n][];
    for (int i = 0; i < n; i++) {
      params.assign(saved);
      params.putScalar(i, saved.getDouble(i) + h);
      double[] plus = gradient(net, batch);
      params.assign(saved);
      params.putScalar(i, saved.getDouble(i) - h);
      double[] minus = gradient(net, batch);
      hess[i] = new double[n];
      for (int j = 0; j < n; j++) {
        hess[i][j] = (plus[j] - minus[j]) / (2 * h);
      }
    }
    params.assign(saved);
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = 0.5 * (hess[i][j] + hess[j][i]);
        hess[i][j] = s;
        hess[j][i] = s;
      }
    }
    return hess;
  }

  /** The gradient of the mean loss (DL4J's gradient is summed over the batch). */
  static double[] gradient(MultiLayerNetwork net, DataSet batch) {
    net.setInput(batch.getFeatures());
    net.setLabels(batch.getLabels());
    net.computeGradientAndScore();
    double[] g = net.getFlattenedGradients().reshape(-1).toDoubleVector();
    for (int j = 0; j < g.length; j++) {
      g[j] /= batch.numExamples();
    }
    return g;
  }

  static double[] times(double[][] m, double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      for (int j = 0; j < v.length; j++) {
        out[i] += m[i][j] * v[j];
      }
    }
    return out;
  }

  /** Eigenvalues, ascending. */
  static double[] eigenvalues(double[][] a) {
    int n = a.length;
    double[][] m = new double[n][];
    for (int i = 0; i < n; i++) {
      m[i] = a[i].clone();
    }
    for (int sweep = 0; sweep < 200; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += m[p][q] * m[p][q];
        }
      }
      if (off < 1e-28) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          if (Math.abs(m[p][q]) < 1e-300) {
            continue;
          }
          double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
          double t =
              (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double kp = m[k][p];
            double kq = m[k][q];
            m[k][p] = c * kp - s * kq;
            m[k][q] = s * kp + c * kq;
          }
          for (int k = 0; k < n; k++) {
            double pk = m[p][k];
            double qk = m[q][k];
            m[p][k] = c * pk - s * qk;
            m[q][k] = s * pk + c * qk;
          }
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      values[i] = m[i][i];
    }
    java.util.Arrays.sort(values);
    return values;
  }
}
