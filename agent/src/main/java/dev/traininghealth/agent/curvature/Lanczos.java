package dev.traininghealth.agent.curvature;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Lanczos iteration with full re-orthogonalisation, for the two ends of a symmetric operator's
 * spectrum. Full re-orthogonalisation (classical Gram-Schmidt, twice, as two matrix-vector
 * products against the stored basis) keeps the basis orthogonal in floating point, so no ghost
 * copies of converged eigenvalues appear and the Ritz vectors are usable; its price is memory,
 * one basis row per iteration.
 *
 * <p>Residuals are the Lanczos estimates {@code beta_k |s_k|}, which equal {@code ||Av - theta v||}
 * for an exactly symmetric operator and an orthogonal basis, at no extra operator application.
 */
final class Lanczos {
  /** Which ends of the spectrum must converge before the iteration stops early. */
  enum Ends {
    BOTH,
    MAX_ONLY
  }

  /** Ritz values, residual estimates and Ritz vectors of both ends. */
  static final class Result {
    final double thetaMax;
    final double thetaMin;
    final double residualMax;
    final double residualMin;
    final int iterations;
    final INDArray vectorMax;
    final INDArray vectorMin;

    Result(
        double thetaMax,
        double thetaMin,
        double residualMax,
        double residualMin,
        int iterations,
        INDArray vectorMax,
        INDArray vectorMin) {
      this.thetaMax = thetaMax;
      this.thetaMin = thetaMin;
      this.residualMax = residualMax;
      this.residualMin = residualMin;
      this.iterations = iterations;
      this.vectorMax = vectorMax;
      this.vectorMin = vectorMin;
    }
  }

  private static final int MIN_ITERATIONS = 3;

  private Lanczos() {}

  /**
   * Runs at most {@code basis.rows()} iterations from {@code start} (need not be normalised; left
   * unchanged), stopping when the required ends have residual at most {@code tolerance} times the
   * spectral scale max(|theta_max|, |theta_min|).
   *
   * @param basis scratch of shape [maxIterations, n] in the vectors' data type, reused across calls
   */
  static Result run(
      SymmetricOperator op, INDArray start, INDArray basis, double tolerance, Ends ends) {
    int maxIter = (int) basis.rows();
    long n = op.dimension();
    double[] alpha = new double[maxIter];
    double[] beta = new double[maxIter];
    INDArray w = Nd4j.create(start.dataType(), n);
    double startNorm = start.norm2Number().doubleValue();
    if (!(startNorm > 0)) {
      throw new IllegalArgumentException("start vector is zero or not finite");
    }
    basis.getRow(0).assign(start).divi(startNorm);
    SymmetricEigen eig = null;
    int k = 0;
    while (k < maxIter) {
      INDArray q = basis.getRow(k);
      op.apply(q, w);
      alpha[k] = w.mul(q).sumNumber().doubleValue();
      reorthogonalise(basis, k + 1, w);
      reorthogonalise(basis, k + 1, w);
      beta[k] = w.norm2Number().doubleValue();
      k++;
      eig = SymmetricEigen.of(tridiagonal(alpha, beta, k));
      if (k >= MIN_ITERATIONS || k == n) {
        double scale =
            Math.max(Math.abs(eig.value(eig.indexOfMax())), Math.abs(eig.value(eig.indexOfMin())));
        double rMax = residual(eig, eig.indexOfMax(), beta[k - 1], k);
        double rMin = residual(eig, eig.indexOfMin(), beta[k - 1], k);
        boolean done =
            rMax <= tolerance * scale && (ends == Ends.MAX_ONLY || rMin <= tolerance * scale);
        if (done || k == n) {
          break;
        }
      }
      // An invariant subspace: the Krylov space holds every eigenvector the start vector touches.
      if (!(beta[k - 1] > 1e-12 * Math.max(1, Math.abs(alpha[k - 1])))) {
        break;
      }
      if (k < maxIter) {
        basis.getRow(k).assign(w).divi(beta[k - 1]);
      }
    }
    int iMax = eig.indexOfMax();
    int iMin = eig.indexOfMin();
    INDArray used = basis.get(NDArrayIndex.interval(0, k), NDArrayIndex.all());
    return new Result(
        eig.value(iMax),
        eig.value(iMin),
        residual(eig, iMax, beta[k - 1], k),
        residual(eig, iMin, beta[k - 1], k),
        k,
        ritzVector(used, eig, iMax, k),
        ritzVector(used, eig, iMin, k));
  }

  /** w -= Q^T (Q w) over the first {@code rows} basis rows: one pass of classical Gram-Schmidt. */
  private static void reorthogonalise(INDArray basis, int rows, INDArray w) {
    INDArray q = basis.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
    INDArray column = w.reshape(w.length(), 1);
    INDArray coefficients = q.mmul(column);
    w.subi(q.transpose().mmul(coefficients).reshape(w.length()));
  }

  private static double[][] tridiagonal(double[] alpha, double[] beta, int k) {
    double[][] t = new double[k][k];
    for (int i = 0; i < k; i++) {
      t[i][i] = alpha[i];
      if (i + 1 < k) {
        t[i][i + 1] = beta[i];
        t[i + 1][i] = beta[i];
      }
    }
    return t;
  }

  private static double residual(SymmetricEigen eig, int i, double lastBeta, int k) {
    return Math.abs(lastBeta * eig.vector(i, k - 1));
  }

  private static INDArray ritzVector(INDArray used, SymmetricEigen eig, int i, int k) {
    double[] s = new double[k];
    for (int j = 0; j < k; j++) {
      s[j] = eig.vector(i, j);
    }
    INDArray coefficients = Nd4j.create(s, new long[] {1, k}).castTo(used.dataType());
    INDArray v = coefficients.mmul(used).reshape(used.columns());
    double norm = v.norm2Number().doubleValue();
    return norm > 0 ? v.divi(norm) : v;
  }
}
