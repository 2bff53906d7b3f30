package dev.traininghealth.agent.curvature;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One estimate of the extreme eigenvalues of the Hessian of the mean loss of a batch, or a skip
 * with its reason. Immutable: the eigenvectors are the estimate's own (the probe allocates them
 * for this estimate and afterwards only reads them, to warm-start the next one), and
 * {@link #vectorMax()} and {@link #vectorMin()} hand out fresh copies.
 */
public final class CurvatureEstimate {
  private final double lambdaMax;
  private final double lambdaMin;
  private final double residualMax;
  private final double residualMin;
  private final int iterations;
  private final int gradientEvaluations;
  private final double costMs;
  private final double trace;
  private final double preconditionedMax;
  private final int batchSize;
  private final INDArray vectorMax;
  private final INDArray vectorMin;
  private final String skipReason;

  private CurvatureEstimate(Builder b) {
    this.lambdaMax = b.lambdaMax;
    this.lambdaMin = b.lambdaMin;
    this.residualMax = b.residualMax;
    this.residualMin = b.residualMin;
    this.iterations = b.iterations;
    this.gradientEvaluations = b.gradientEvaluations;
    this.costMs = b.costMs;
    this.trace = b.trace;
    this.preconditionedMax = b.preconditionedMax;
    this.batchSize = b.batchSize;
    // Not copied: a parameter-sized copy costs about a gradient evaluation (see Vectors).
    this.vectorMax = b.vectorMax;
    this.vectorMin = b.vectorMin;
    this.skipReason = b.skipReason;
  }

  /** An estimate that was not made, e.g. because it would not fit the budget. */
  public static CurvatureEstimate skipped(String reason, int batchSize) {
    Builder b = new Builder();
    b.skipReason = Objects.requireNonNull(reason, "reason");
    b.batchSize = batchSize;
    return new CurvatureEstimate(b);
  }

  static Builder builder() {
    return new Builder();
  }

  public boolean isSkipped() {
    return skipReason != null;
  }

  /** Why no estimate was made; null when one was. */
  public String skipReason() {
    return skipReason;
  }

  /** Largest eigenvalue (Ritz value); NaN when skipped. */
  public double lambdaMax() {
    return lambdaMax;
  }

  /** Smallest (most negative) eigenvalue; about 0 or above when the Hessian is PSD. */
  public double lambdaMin() {
    return lambdaMin;
  }

  /** Lanczos estimate of ||H v - lambda_max v|| for the unit Ritz vector. */
  public double residualMax() {
    return residualMax;
  }

  public double residualMin() {
    return residualMin;
  }

  /** Lanczos iterations of the main (unpreconditioned) run. */
  public int iterations() {
    return iterations;
  }

  /** Every gradient evaluation the estimate cost, trace and preconditioned run included. */
  public int gradientEvaluations() {
    return gradientEvaluations;
  }

  public double costMs() {
    return costMs;
  }

  /** Hutchinson estimate of the trace; NaN when not computed. */
  public double trace() {
    return trace;
  }

  /** lambda_max(P^-1 H) for Adam, P = diag(sqrt(v_hat) + eps); NaN when not applicable. */
  public double preconditionedMax() {
    return preconditionedMax;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Unit eigenvector estimate of lambda_max over the flattened parameters (a copy); null if skipped. */
  public INDArray vectorMax() {
    return vectorMax == null ? null : vectorMax.dup();
  }

  /** Unit eigenvector estimate of lambda_min (a copy); the direction for a curvature step. */
  public INDArray vectorMin() {
    return vectorMin == null ? null : vectorMin.dup();
  }

  @Override
  public String toString() {
    if (isSkipped()) {
      return "CurvatureEstimate{skipped: " + skipReason + "}";
    }
    return String.format(
        java.util.Locale.ROOT,
        "CurvatureEstimate{max=%.6g (r=%.2g), min=%.6g (r=%.2g), trace=%.6g, precondMax=%.6g,"
            + " iterations=%d, gradEvals=%d, %.1f ms, batch=%d}",
        lambdaMax, residualMax, lambdaMin, residualMin, trace, preconditionedMax, iterations,
        gradientEvaluations, costMs, batchSize);
  }

  static final class Builder {
    private double lambdaMax = Double.NaN;
    private double lambdaMin = Double.NaN;
    private double residualMax = Double.NaN;
    private double residualMin = Double.NaN;
    private int iterations;
    private int gradientEvaluations;
    private double costMs = Double.NaN;
    private double trace = Double.NaN;
    private double preconditionedMax = Double.NaN;
    private int batchSize;
    private INDArray vectorMax;
    private INDArray vectorMin;
    private String skipReason;

    Builder lanczos(Lanczos.Result r) {
      lambdaMax = r.thetaMax;
      lambdaMin = r.thetaMin;
      residualMax = r.residualMax;
      residualMin = r.residualMin;
      iterations = r.iterations;
      vectorMax = r.vectorMax;
      vectorMin = r.vectorMin;
      return this;
    }

    Builder gradientEvaluations(int v) {
      gradientEvaluations = v;
      return this;
    }

    Builder costMs(double v) {
      costMs = v;
      return this;
    }

    Builder trace(double v) {
      trace = v;
      return this;
    }

    Builder preconditionedMax(double v) {
      preconditionedMax = v;
      return this;
    }

    Builder batchSize(int v) {
      batchSize = v;
      return this;
    }

    CurvatureEstimate build() {
      return new CurvatureEstimate(this);
    }
  }
}
