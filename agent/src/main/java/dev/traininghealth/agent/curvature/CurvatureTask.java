package dev.traininghealth.agent.curvature;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.Emitter;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Heartbeat;
import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.api.Model;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs the {@link CurvatureProbe} every {@code every} iterations at the iteration boundary and
 * publishes a {@code curvature} event; keeps the latest estimate, eigenvectors included, for the
 * {@code curvature_step} action ({@link #latest()}).
 *
 * <p>The probe works on the iteration's own batch ({@link BatchChoice#CURRENT}) or on a copy of
 * the first batch seen ({@link BatchChoice#FIRST}), which makes successive estimates comparable.
 * Each estimate gets a budget of {@code budgetShare} of the training time since the last one,
 * judged from the median of the recent step times; the probe shortens an estimate to fit (trace
 * and preconditioned run first) or skips it. A skip emits no event (the {@code curvature} event
 * has no field to say why): skips are counted ({@link #skipped()}), and the first one of the run
 * is reported once, with its reason, in a {@code heartbeat} with phase {@code degraded}.
 *
 * <p>MultiLayerNetworks and ComputationGraphs are probed; on other models the task does nothing
 * and says so once in the same way. Runs on the training thread; {@link #latest()} may be read
 * from any thread.
 */
public final class CurvatureTask implements BoundaryTask {
  /** Which batch the Hessian is taken on. */
  public enum BatchChoice {
    /** The batch of the iteration that just finished (the model's input and labels). */
    CURRENT,
    /** A copy of the first batch the task saw, kept for the whole run. */
    FIRST;

    /** Parses {@code current} or {@code first}, case-insensitively. */
    public static BatchChoice parse(String v) {
      for (BatchChoice c : values()) {
        if (c.name().equalsIgnoreCase(v == null ? "" : v.trim())) {
          return c;
        }
      }
      throw new IllegalArgumentException(
          "curvature batch must be current or first, got '" + v + "'");
    }
  }

  private static final int STEP_WINDOW = 16;
  /** Hutchinson samples when the trace is on: 8 gradient evaluations. */
  static final int TRACE_SAMPLES = 4;

  private final int every;
  private final BatchChoice batchChoice;
  private final CurvatureProbe probe;

  // Training-thread state.
  private final double[] stepMs = new double[STEP_WINDOW];
  private int steps;
  private long lastBoundaryNanos;
  private MultiDataSet firstBatch;
  private boolean reportedSkip;
  private boolean reportedUnsupported;
  private long skipped;
  private long estimates;

  private volatile CurvatureEstimate latest;
  private volatile long latestIteration = -1;
  private volatile String lastSkipReason;

  private CurvatureTask(Builder b) {
    this.every = b.every;
    this.batchChoice = b.batch;
    this.probe =
        b.probe != null
            ? b.probe
            : CurvatureProbe.builder()
                .budgetShare(b.budgetShare)
                .traceSamples(b.trace ? TRACE_SAMPLES : 0)
                .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The task the agent options ask for ({@code curvature.*}; {@code every} must be > 0). */
  public static CurvatureTask from(AgentConfig config) {
    return builder()
        .every(config.curvatureEvery())
        .batch(BatchChoice.parse(config.curvatureBatch()))
        .budgetShare(config.curvatureBudget())
        .trace(config.curvatureTrace())
        .build();
  }

  @Override
  public String name() {
    return "curvature";
  }

  @Override
  public boolean mayChangeModel(int iteration) {
    // The Hessian-vector products move the parameters and overwrite the gradient; in between
    // the task only copies the batch.
    return iteration % every == 0 && iteration > 0;
  }

  @Override
  public void atBoundary(Model model, int iteration, int epoch, Emitter out) {
    long now = System.nanoTime();
    if (lastBoundaryNanos != 0) {
      stepMs[steps++ % STEP_WINDOW] = (now - lastBoundaryNanos) / 1e6;
    }
    try {
      if (iteration % every == 0 && iteration > 0) {
        probeAt(model, iteration, epoch, out);
      } else if (batchChoice == BatchChoice.FIRST && firstBatch == null) {
        firstBatch = copyOfBatch(ProbedNet.of(model));
      }
    } finally {
      // The next step's time starts after the probe: estimates do not inflate the step times.
      lastBoundaryNanos = System.nanoTime();
    }
  }

  private void probeAt(Model model, int iteration, int epoch, Emitter out) {
    ProbedNet net = ProbedNet.of(model);
    if (net == null) {
      if (!reportedUnsupported) {
        reportedUnsupported = true;
        out.emit(
            Heartbeat.of(
                out.header(iteration, epoch),
                "degraded",
                out.dropped(),
                "curvature probe off: " + model.getClass().getSimpleName()
                    + " is not supported (MultiLayerNetwork and ComputationGraph only)"));
      }
      return;
    }
    MultiDataSet batch = batchChoice == BatchChoice.FIRST ? firstBatch(net) : net.currentBatch();
    if (batch == null) {
      return;
    }
    // No step measured yet (the listener joined at this very iteration): no basis for a budget;
    // the probe's first budgeted estimate is its minimal, cost-measuring one anyway.
    double budget = probe.budgetMillis(medianStepMs(), every);
    CurvatureEstimate e =
        probe.estimate(net, batch, Double.isNaN(budget) ? Double.MAX_VALUE : budget);
    if (e.isSkipped()) {
      skipped++;
      lastSkipReason = e.skipReason();
      if (!reportedSkip) {
        reportedSkip = true;
        out.emit(
            Heartbeat.of(
                out.header(iteration, epoch),
                "degraded",
                out.dropped(),
                "curvature estimate skipped at iteration " + iteration + ": " + e.skipReason()
                    + " (later skips are counted, not reported)"));
      }
      return;
    }
    estimates++;
    latest = e;
    latestIteration = iteration;
    out.emit(
        Curvature.builder(out.header(iteration, epoch))
            .lambdaMax(e.lambdaMax())
            .lambdaMin(e.lambdaMin())
            .residualMax(e.residualMax())
            .residualMin(e.residualMin())
            .trace(e.trace())
            .preconditionedMax(e.preconditionedMax())
            .iterations(e.iterations())
            .gradientEvaluations(e.gradientEvaluations())
            .costMs(e.costMs())
            .batchSize(e.batchSize())
            .build());
  }

  private MultiDataSet firstBatch(ProbedNet net) {
    if (firstBatch == null) {
      firstBatch = copyOfBatch(net);
    }
    return firstBatch;
  }

  /** A detached copy: the model's arrays belong to the run and may live in a workspace. */
  @SuppressWarnings("try") // the scope is what matters, not the resource
  private static MultiDataSet copyOfBatch(ProbedNet net) {
    MultiDataSet current = net == null ? null : net.currentBatch();
    if (current == null) {
      return null;
    }
    try (MemoryWorkspace outside = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
      return new org.nd4j.linalg.dataset.MultiDataSet(
          dup(current.getFeatures()),
          dup(current.getLabels()),
          dup(current.getFeaturesMaskArrays()),
          dup(current.getLabelsMaskArrays()));
    }
  }

  private static INDArray[] dup(INDArray[] arrays) {
    if (arrays == null) {
      return null;
    }
    INDArray[] out = new INDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      out[i] = arrays[i] == null ? null : arrays[i].dup();
    }
    return out;
  }

  private double medianStepMs() {
    int n = Math.min(steps, STEP_WINDOW);
    if (n == 0) {
      return Double.NaN;
    }
    double[] s = Arrays.copyOf(stepMs, n);
    Arrays.sort(s);
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  /** The latest estimate made (not skipped), eigenvectors included; null before the first. */
  public CurvatureEstimate latest() {
    return latest;
  }

  /** The iteration at whose boundary {@link #latest()} was made; -1 before the first. */
  public long latestIteration() {
    return latestIteration;
  }

  /** Estimates made so far. */
  public long estimates() {
    return estimates;
  }

  /** Estimates skipped for the budget so far. */
  public long skipped() {
    return skipped;
  }

  /** Why the last skip happened; null if none did. */
  public String lastSkipReason() {
    return lastSkipReason;
  }

  public int every() {
    return every;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT, "CurvatureTask{every=%d, batch=%s, estimates=%d, skipped=%d}",
        every, batchChoice, estimates, skipped);
  }

  /** Options of a {@link CurvatureTask}. */
  public static final class Builder {
    private int every = CurvatureProbe.DEFAULT_EVERY;
    private BatchChoice batch = BatchChoice.CURRENT;
    private double budgetShare = 0.05;
    private boolean trace;
    private CurvatureProbe probe;

    private Builder() {}

    /** Iterations between estimates, > 0. */
    public Builder every(int v) {
      if (v < 1) {
        throw new IllegalArgumentException("curvature every must be >= 1: " + v);
      }
      this.every = v;
      return this;
    }

    public Builder batch(BatchChoice v) {
      this.batch = java.util.Objects.requireNonNull(v, "batch");
      return this;
    }

    /** Share of the training time between estimates one estimate may take (default 0.05). */
    public Builder budgetShare(double v) {
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("curvature budget must be > 0: " + v);
      }
      this.budgetShare = v;
      return this;
    }

    /** Also estimate the trace (Hutchinson, {@value CurvatureTask#TRACE_SAMPLES} samples). */
    public Builder trace(boolean v) {
      this.trace = v;
      return this;
    }

    /**
     * A probe configured by hand; replaces {@link #budgetShare} and {@link #trace}, which only
     * configure the default probe.
     */
    public Builder probe(CurvatureProbe v) {
      this.probe = v;
      return this;
    }

    public CurvatureTask build() {
      return new CurvatureTask(this);
    }
  }
}
