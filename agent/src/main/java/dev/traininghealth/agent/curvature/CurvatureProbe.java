package dev.traininghealth.agent.curvature;

import dev.traininghealth.agent.curvature.Vectors.Slot;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Estimates the largest and the most negative eigenvalue of the Hessian of the mean loss of a
 * batch, with their eigenvectors, by Lanczos with full re-orthogonalisation on central-difference
 * Hessian-vector products; optionally the trace (Hutchinson, Rademacher vectors) and, for Adam,
 * the preconditioned sharpness lambda_max(P^-1 H).
 *
 * <p>Meant to be called between iterations on the training thread (e.g. right after
 * {@code iterationDone}); it leaves the run exactly as it was (see {@link RunStateGuard}). One
 * probe per network: it keeps the last eigenvectors to warm-start the next estimate, a Lanczos
 * basis of {@code maxIterations x numParams} in the network's data type (the memory price of full
 * re-orthogonalisation: 12 x 1.86M floats = 89 MB for the 784-1024-1024-10 MLP) and up to ten
 * parameter-sized scratch vectors (75 MB there), all reused across estimates. Not thread-safe.
 *
 * <p>Cost: each Lanczos iteration is two gradient evaluations at training speed plus a few BLAS
 * passes and one re-orthogonalisation against the basis; the defaults (12 + 6 iterations) cap an
 * estimate at 36 gradient evaluations.
 */
public final class CurvatureProbe {
  /**
   * Default cadence, in iterations, from {@code scripts/bench.sh CurvatureBench} on the
   * 784-1024-1024-10 MLP (README, "Curvature probe"): a full default estimate took 34 gradient
   * evaluations, 1.3 s, about 33 training steps. Every 2000 iterations that is 1.017x alone and
   * 1.032x with the listener's default probes; every 1000 it was 1.048x, too close to the 1.05x
   * goal on a noisy machine (a run under heavier load the same hour gave 1.10x).
   */
  public static final int DEFAULT_EVERY = 2000;

  /**
   * Relative step h / max(1, ||w||) for float64 networks. Measured against the exact Hessian of a
   * 3-6-2 tanh MLP (EpsilonChoiceTest): relative error of Hv 2.5e-8 at 1e-4, 2.0e-10 at 1e-5,
   * 8.0e-11 at 1e-6 (best), 6.2e-10 at 1e-7.
   */
  public static final double DEFAULT_EPS_DOUBLE = 1e-6;

  /**
   * Relative step for float32 networks. Same measurement: 2.5e-4 at 1e-2, 2.1e-5 at 3e-3 (best),
   * 3.1e-5 at 1e-3, 1.0e-4 at 3e-4; 1e-3 is chosen a little below the best because the truncation
   * error grows with the curvature's third derivative, which is larger on bigger, sharper nets.
   */
  public static final double DEFAULT_EPS_FLOAT = 1e-3;

  private static final int MIN_BUDGET_ITERATIONS = 3;
  private static final double WARM_NOISE = 0.2;

  private final int maxIterations;
  private final int preconditionedIterations;
  private final double tolerance;
  private final double eps;
  private final int traceSamples;
  private final double budgetShare;
  private final Random random;

  private final Vectors.Scratch scratch = new Vectors.Scratch();
  private float[] signs;
  private INDArray basis;
  private INDArray previousMax;
  private INDArray previousMin;
  private boolean hasPreconditioned;
  private double millisPerGradient = Double.NaN;

  private CurvatureProbe(Builder b) {
    this.maxIterations = b.maxIterations;
    this.preconditionedIterations = b.preconditionedIterations;
    this.tolerance = b.tolerance;
    this.eps = b.eps;
    this.traceSamples = b.traceSamples;
    this.budgetShare = b.budgetShare;
    this.random = new Random(b.seed);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A probe with the defaults. */
  public static CurvatureProbe withDefaults() {
    return builder().build();
  }

  /** Estimates on {@code batch} with no time limit beyond the iteration caps. */
  public CurvatureEstimate estimate(MultiLayerNetwork net, DataSet batch) {
    return estimate(ProbedNet.of(net), multi(batch), Double.NaN);
  }

  /** The same for a graph, on a batch of all its inputs and outputs. */
  public CurvatureEstimate estimate(ComputationGraph graph, MultiDataSet batch) {
    return estimate(ProbedNet.of(graph), batch, Double.NaN);
  }

  /**
   * Estimates within {@code budgetMillis}, judged from the measured cost of a gradient evaluation
   * in earlier estimates: fewer Lanczos iterations when the budget is short, the trace and the
   * preconditioned run dropped first, and a skip (saying why) when not even
   * {@value #MIN_BUDGET_ITERATIONS} iterations fit. The first call, with no cost known yet, makes a
   * minimal estimate to measure it.
   */
  public CurvatureEstimate estimate(MultiLayerNetwork net, DataSet batch, double budgetMillis) {
    return estimate(ProbedNet.of(net), multi(batch), budgetMillis);
  }

  /** The same for a graph. */
  public CurvatureEstimate estimate(
      ComputationGraph graph, MultiDataSet batch, double budgetMillis) {
    return estimate(ProbedNet.of(graph), batch, budgetMillis);
  }

  /** Unbudgeted when {@code budgetMillis} is NaN. */
  CurvatureEstimate estimate(ProbedNet net, MultiDataSet batch, double budgetMillis) {
    if (Double.isNaN(budgetMillis)) {
      return run(net, batch, maxIterations, preconditionedIterations, traceSamples);
    }
    if (Double.isNaN(millisPerGradient)) {
      return run(net, batch, Math.min(MIN_BUDGET_ITERATIONS, maxIterations), 0, 0);
    }
    int affordable = (int) Math.floor(budgetMillis / (2 * millisPerGradient));
    if (affordable < MIN_BUDGET_ITERATIONS) {
      return CurvatureEstimate.skipped(
          String.format(
              java.util.Locale.ROOT,
              "budget %.1f ms affords %d Lanczos iterations at %.1f ms per gradient, need %d",
              budgetMillis, affordable, millisPerGradient, MIN_BUDGET_ITERATIONS),
          examples(batch));
    }
    int main = Math.min(maxIterations, affordable);
    int left = affordable - main;
    int pre = Math.min(preconditionedIterations, left);
    left -= pre;
    int trace = Math.min(traceSamples, left);
    return run(net, batch, main, pre >= MIN_BUDGET_ITERATIONS ? pre : 0, trace);
  }

  /** The budget for one estimate every {@code every} steps of {@code stepMillis}. */
  public double budgetMillis(double stepMillis, int every) {
    return budgetShare * stepMillis * every;
  }

  /** Forgets the warm start (e.g. after a restart or a change of network). */
  public void reset() {
    previousMax = null;
    previousMin = null;
    hasPreconditioned = false;
  }

  private static MultiDataSet multi(DataSet d) {
    INDArray fm = d.getFeaturesMaskArray();
    INDArray lm = d.getLabelsMaskArray();
    return new org.nd4j.linalg.dataset.MultiDataSet(
        new INDArray[] {d.getFeatures()},
        new INDArray[] {d.getLabels()},
        fm == null ? null : new INDArray[] {fm},
        lm == null ? null : new INDArray[] {lm});
  }

  private static int examples(MultiDataSet batch) {
    return (int) batch.getFeatures(0).size(0);
  }

  @SuppressWarnings("try") // the scope is what matters, not the resource
  private CurvatureEstimate run(
      ProbedNet net, MultiDataSet batch, int mainIterations, int preIterations, int samples) {
    long started = System.nanoTime();
    int batchSize = examples(batch);
    CurvatureEstimate.Builder out = CurvatureEstimate.builder().batchSize(batchSize);
    // Called from inside fit, possibly within a workspace scope: what the probe keeps (scratch,
    // eigenvectors) must live outside every workspace, or a workspace reset would overwrite it.
    try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces();
        RunStateGuard guard = RunStateGuard.open(net, scratch)) {
      net.setBatch(batch);
      DataType type = net.params().dataType();
      long n = net.numParams();
      double h = Double.isNaN(eps) ? defaultEps(type) : eps;
      HessianVectorProduct hvp =
          new HessianVectorProduct(
              net, guard.savedParams(), h, batchSize, scratch.get(Slot.GRADIENT_PLUS, type, n));
      INDArray w = scratch.get(Slot.LANCZOS_W, type, n);

      INDArray start = warmStart(previousMax, previousMin, n, type);
      hvp.project(start);
      // Fresh vectors: they go out in the estimate, which may be read long after the next one.
      INDArray vectorMax = Nd4j.create(type, n);
      INDArray vectorMin = Nd4j.create(type, n);
      Lanczos.Result main =
          Lanczos.run(
              hvp, start, basis(n, type, mainIterations), w, tolerance, Lanczos.Ends.BOTH,
              vectorMax, vectorMin);
      out.lanczos(main);
      previousMax = main.vectorMax;
      previousMin = main.vectorMin;

      if (preIterations > 0) {
        INDArray d = scratch.get(Slot.PRECONDITIONER, type, n);
        if (AdamPreconditioner.inverseSqrt(net, d)) {
          PreconditionedOperator op =
              new PreconditionedOperator(hvp, d, scratch.get(Slot.PRECONDITIONED_SCALED, type, n));
          INDArray previous = scratch.peek(Slot.PRECONDITIONED_VECTOR, type, n);
          INDArray preStart = warmStart(hasPreconditioned ? previous : null, null, n, type);
          hvp.project(preStart);
          INDArray preVector = scratch.get(Slot.PRECONDITIONED_VECTOR, type, n);
          Lanczos.Result pre =
              Lanczos.run(
                  op, preStart, basis(n, type, preIterations), w, tolerance,
                  Lanczos.Ends.MAX_ONLY, preVector, null);
          out.preconditionedMax(pre.thetaMax);
          hasPreconditioned = true;
        }
      }
      if (samples > 0) {
        out.trace(hutchinson(hvp, n, type, samples));
      }
      int evaluations = hvp.gradientEvaluations();
      double ms = (System.nanoTime() - started) / 1e6;
      millisPerGradient = ms / Math.max(1, evaluations);
      return out.gradientEvaluations(evaluations).costMs(ms).build();
    }
  }

  private double hutchinson(HessianVectorProduct hvp, long n, DataType type, int samples) {
    INDArray z = scratch.get(Slot.TRACE_Z, type, n);
    INDArray hz = scratch.get(Slot.TRACE_HZ, type, n);
    double sum = 0;
    for (int i = 0; i < samples; i++) {
      fillRademacher(z);
      hvp.project(z);
      hvp.apply(z, hz);
      sum += Vectors.dot(z, hz);
    }
    return sum / samples;
  }

  /**
   * Previous eigenvectors plus some noise, so that directions that were not there can enter;
   * written into the probe's start vector.
   */
  private INDArray warmStart(INDArray a, INDArray b, long n, DataType type) {
    INDArray start = scratch.get(Slot.START, type, n);
    fillRademacher(start);
    if (a == null || a.length() != n || a.dataType() != type) {
      return start;
    }
    start.muli(WARM_NOISE / Math.sqrt(n)).addi(a);
    if (b != null && b.length() == n && b.dataType() == type) {
      start.addi(b);
    }
    return start;
  }

  /** Random signs from the probe's own generator: ND4J's generator belongs to the run. */
  private void fillRademacher(INDArray v) {
    long n = v.length();
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("too many parameters: " + n);
    }
    if (signs == null || signs.length != n) {
      signs = new float[(int) n];
    }
    int bits = 0;
    for (int i = 0; i < signs.length; i++) {
      if ((i & 31) == 0) {
        bits = random.nextInt();
      }
      signs[i] = (bits & 1) == 0 ? 1f : -1f;
      bits >>>= 1;
    }
    if (v.dataType() == DataType.FLOAT && v.offset() == 0 && v.data().length() == n) {
      // One bulk copy into the native buffer (DataBuffer.setData puts element by element).
      java.nio.FloatBuffer target = v.data().asNioFloat();
      target.position(0);
      target.put(signs);
    } else {
      v.assign(Nd4j.createFromArray(signs).castTo(v.dataType()));
    }
  }

  private INDArray basis(long n, DataType type, int rows) {
    int capacity = Math.max(maxIterations, preconditionedIterations);
    if (basis == null || basis.columns() != n || basis.dataType() != type) {
      basis = Nd4j.create(type, capacity, n);
    }
    return basis.get(NDArrayIndex.interval(0, Math.min(rows, n)), NDArrayIndex.all());
  }

  private static double defaultEps(DataType type) {
    return type == DataType.DOUBLE ? DEFAULT_EPS_DOUBLE : DEFAULT_EPS_FLOAT;
  }

  /** Options of a {@link CurvatureProbe}; every one has a default. */
  public static final class Builder {
    private int maxIterations = 12;
    private int preconditionedIterations = 6;
    private double tolerance = 1e-2;
    private double eps = Double.NaN;
    private int traceSamples = 0;
    private double budgetShare = 0.05;
    private long seed = 0x5eedL;

    private Builder() {}

    /** Lanczos iterations for lambda_max and lambda_min (default 12; 2 gradients each). */
    public Builder maxIterations(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("maxIterations must be >= 1: " + v);
      }
      this.maxIterations = v;
      return this;
    }

    /** Lanczos iterations for lambda_max(P^-1 H) under Adam; 0 turns it off (default 6). */
    public Builder preconditionedIterations(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("preconditionedIterations must be >= 0: " + v);
      }
      this.preconditionedIterations = v;
      return this;
    }

    /** Stop when both residuals are below this share of the spectral scale (default 1e-2). */
    public Builder tolerance(double v) {
      if (!(v > 0)) {
        throw new IllegalArgumentException("tolerance must be > 0: " + v);
      }
      this.tolerance = v;
      return this;
    }

    /**
     * Finite-difference step relative to max(1, ||w||); default by data type:
     * {@value CurvatureProbe#DEFAULT_EPS_DOUBLE} (float64), {@value CurvatureProbe#DEFAULT_EPS_FLOAT}
     * (float32).
     */
    public Builder eps(double v) {
      if (!(v > 0)) {
        throw new IllegalArgumentException("eps must be > 0: " + v);
      }
      this.eps = v;
      return this;
    }

    /** Hutchinson samples for the trace (2 gradients each); 0 turns it off (default). */
    public Builder traceSamples(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("traceSamples must be >= 0: " + v);
      }
      this.traceSamples = v;
      return this;
    }

    /** Share of training time the probe may use, amortised over its cadence (default 0.05). */
    public Builder budgetShare(double v) {
      if (!(v > 0)) {
        throw new IllegalArgumentException("budgetShare must be > 0: " + v);
      }
      this.budgetShare = v;
      return this;
    }

    /** Seed of the probe's own random start and trace vectors. */
    public Builder seed(long v) {
      this.seed = v;
      return this;
    }

    public CurvatureProbe build() {
      return new CurvatureProbe(this);
    }
  }
}
