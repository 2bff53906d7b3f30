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
  /** Kahan-Parlett "twice is enough": a second pass only when the first removed this much. */
  private static final double REPEAT_BELOW = 1 / Math.sqrt(2);

  private Lanczos() {}

  /**
   * Runs at most {@code basis.rows()} iterations from {@code start} (need not be normalised; left
   * unchanged), stopping when the required ends have residual at most {@code tolerance} times the
   * spectral scale max(|theta_max|, |theta_min|). Allocates nothing of the operator's dimension:
   * the caller hands in the scratch and the vectors the Ritz vectors are written to.
   *
   * @param basis scratch of shape [maxIterations, n] in the vectors' data type, reused across calls
   * @param w scratch vector of length n
   * @param outMax receives the unit Ritz vector of the largest Ritz value
   * @param outMin receives that of the smallest; null when not wanted
   */
  static Result run(
      SymmetricOperator op,
      INDArray start,
      INDArray basis,
      INDArray w,
      double tolerance,
      Ends ends,
      INDArray outMax,
      INDArray outMin) {
    int maxIter = basis.rows();
    long n = op.dimension();
    double[] alpha = new double[maxIter];
    double[] beta = new double[maxIter];
    double startNorm = Vectors.norm(start);
    if (!(startNorm > 0) || Double.isInfinite(startNorm)) {
      throw new IllegalArgumentException("start vector is zero or not finite");
    }
    basis.getRow(0).assign(start).muli(1 / startNorm);
    SymmetricEigen eig = null;
    int k = 0;
    while (k < maxIter) {
      INDArray q = basis.getRow(k);
      op.apply(q, w);
      alpha[k] = Vectors.dot(w, q);
      // The three-term recurrence first, so that re-orthogonalisation only removes what rounding
      // left; then its "twice is enough" test rarely asks for a second pass.
      Vectors.axpy(-alpha[k], q, w);
      if (k > 0) {
        Vectors.axpy(-beta[k - 1], basis.getRow(k - 1), w);
      }
      beta[k] = reorthogonalise(basis, k + 1, w);
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
        basis.getRow(k).assign(w).muli(1 / beta[k - 1]);
      }
    }
    int iMax = eig.indexOfMax();
    int iMin = eig.indexOfMin();
    INDArray used = basis.get(NDArrayIndex.interval(0, k), NDArrayIndex.all());
    ritzVector(used, eig, iMax, k, outMax);
    if (outMin != null) {
      ritzVector(used, eig, iMin, k, outMin);
    }
    return new Result(
        eig.value(iMax),
        eig.value(iMin),
        residual(eig, iMax, beta[k - 1], k),
        residual(eig, iMin, beta[k - 1], k),
        k,
        outMax,
        outMin);
  }

  /**
   * Removes from {@code w} its components along the first {@code rows} basis rows (classical
   * Gram-Schmidt as two matrix-vector products, in place), repeated once when the first pass
   * cancelled most of {@code w}, which is when rounding leaves it visibly unorthogonal. Returns
   * the norm of what is left. The basis is 12 x n at most: one pass reads it twice, about as much
   * memory traffic as a few elementwise operations per row.
   */
  private static double reorthogonalise(INDArray basis, int rows, INDArray w) {
    INDArray q = basis.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
    INDArray column = w.reshape(w.length(), 1);
    INDArray coefficients = Nd4j.create(w.dataType(), rows, 1);
    double before = Vectors.norm(w);
    double after = before;
    for (int pass = 0; pass < 2; pass++) {
      Nd4j.gemm(q, column, coefficients, false, false, 1.0, 0.0);
      Nd4j.gemm(q, coefficients, column, true, false, -1.0, 1.0);
      double norm = Vectors.norm(w);
      boolean enough = norm >= REPEAT_BELOW * after;
      after = norm;
      if (enough) {
        break;
      }
    }
    return after;
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

  private static void ritzVector(INDArray used, SymmetricEigen eig, int i, int k, INDArray out) {
    double[] s = new double[k];
    for (int j = 0; j < k; j++) {
      s[j] = eig.vector(i, j);
    }
    INDArray coefficients = Nd4j.create(s, new long[] {1, k}).castTo(used.dataType());
    Nd4j.gemm(coefficients, used, out.reshape(1, used.columns()), false, false, 1.0, 0.0);
    double norm = Vectors.norm(out);
    if (norm > 0) {
      out.muli(1 / norm);
    }
  }
}
