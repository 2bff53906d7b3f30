package dev.traininghealth.rules.event;

/**
 * Estimates of the loss Hessian's extreme eigenvalues at one iteration (Lanczos on
 * Hessian-vector products), with their residuals ||Hv - lambda v|| and what the estimate cost.
 */
public final class Curvature extends Event {
  private final double lambdaMax;
  private final double lambdaMin;
  private final double residualMax;
  private final double residualMin;
  private final double trace;
  private final double preconditionedMax;
  private final int iterations;
  private final int gradientEvaluations;
  private final double costMs;
  private final int batchSize;

  private Curvature(Builder b) {
    super(b.header);
    this.lambdaMax = b.lambdaMax;
    this.lambdaMin = b.lambdaMin;
    this.residualMax = b.residualMax;
    this.residualMin = b.residualMin;
    this.trace = b.trace;
    this.preconditionedMax = b.preconditionedMax;
    this.iterations = b.iterations;
    this.gradientEvaluations = b.gradientEvaluations;
    this.costMs = b.costMs;
    this.batchSize = b.batchSize;
  }

  public static Builder builder(Header header) {
    return new Builder(header);
  }

  @Override
  public EventType type() {
    return EventType.CURVATURE;
  }

  /** Largest eigenvalue of the Hessian of the mean loss. */
  public double lambdaMax() {
    return lambdaMax;
  }

  /** Most negative (smallest) eigenvalue; >= 0 means no negative curvature was found. */
  public double lambdaMin() {
    return lambdaMin;
  }

  public double residualMax() {
    return residualMax;
  }

  public double residualMin() {
    return residualMin;
  }

  /** Hutchinson estimate of the trace; NaN when not estimated. */
  public double trace() {
    return trace;
  }

  /** lambda_max(P^-1 H) for adaptive updaters (Adam: P = diag(sqrt(v)+eps)); NaN otherwise. */
  public double preconditionedMax() {
    return preconditionedMax;
  }

  /** Lanczos iterations used. */
  public int iterations() {
    return iterations;
  }

  public int gradientEvaluations() {
    return gradientEvaluations;
  }

  public double costMs() {
    return costMs;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Collects the fields of a {@link Curvature}. */
  public static final class Builder {
    private final Header header;
    private double lambdaMax = Double.NaN;
    private double lambdaMin = Double.NaN;
    private double residualMax = Double.NaN;
    private double residualMin = Double.NaN;
    private double trace = Double.NaN;
    private double preconditionedMax = Double.NaN;
    private int iterations;
    private int gradientEvaluations;
    private double costMs = Double.NaN;
    private int batchSize;

    private Builder(Header header) {
      this.header = header;
    }

    public Builder lambdaMax(double v) {
      this.lambdaMax = v;
      return this;
    }

    public Builder lambdaMin(double v) {
      this.lambdaMin = v;
      return this;
    }

    public Builder residualMax(double v) {
      this.residualMax = v;
      return this;
    }

    public Builder residualMin(double v) {
      this.residualMin = v;
      return this;
    }

    public Builder trace(double v) {
      this.trace = v;
      return this;
    }

    public Builder preconditionedMax(double v) {
      this.preconditionedMax = v;
      return this;
    }

    public Builder iterations(int v) {
      this.iterations = v;
      return this;
    }

    public Builder gradientEvaluations(int v) {
      this.gradientEvaluations = v;
      return this;
    }

    public Builder costMs(double v) {
      this.costMs = v;
      return this;
    }

    public Builder batchSize(int v) {
      this.batchSize = v;
      return this;
    }

    public Curvature build() {
      return new Curvature(this);
    }
  }
}
