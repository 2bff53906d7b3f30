package dev.traininghealth.agent.probe;

import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.NonFinite;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Everything measured per iteration, in the order DL4J offers it: the raw gradient in
 * {@code onGradientCalculation} (the updater overwrites it right after), then the loss, the
 * update (the same buffer, now holding the step), the parameters and the batch in
 * {@code iterationDone}. Produces {@code iteration}, {@code nonfinite} and {@code activations}
 * events. Called from the training thread; on the CPU backend the update and parameter passes
 * run on a {@link StepNormWorker} during the next forward pass, and the iteration's event (with
 * whatever was emitted after it) waits for them, so events keep their order.
 */
public final class IterationProbe {
  /** Identifies which probes a failure belongs to, for {@link ProbeGuard}. */
  public static final String NORMS = "norms";

  public static final String NONFINITE = "nonfinite";
  public static final String ACTIVATIONS = "activations";

  /** Makes the header of an event at the given iteration and epoch. */
  public interface HeaderFactory {
    Header header(long iter, int epoch);
  }

  /** A hook for tests to make a named probe fail; null in production. */
  static volatile Consumer<String> faultHook;

  private final ProbeSettings settings;
  private final SegmentNorms norms;
  private final ProbeGuard guard;
  private final boolean hostMemory;
  private boolean background;
  private StepNormWorker worker;
  private boolean forwardPassSeen;
  /** The buffers the helper measures next, from measureStepAndParams to startInBackground. */
  private INDArray stepUpdate;
  private INDArray stepParams;
  // Shared with the helper thread, guarded by this:
  private PendingStep pending;
  private final List<Event> held = new ArrayList<>();
  private Throwable stepFailure;
  private Throwable paramCheckFailure;

  private ParamLayout gradLayout;
  private ParamLayout paramLayout;
  private double[] gradSq = new double[0];
  private double[] updSq = new double[0];
  private double[] parSq = new double[0];
  private boolean haveGradient;
  private boolean gradientFinite = true;
  private boolean gradientWasFinite = true;
  private boolean paramsWereFinite = true;
  private boolean lossWasFinite = true;
  private int lastEpoch = -1;
  private long batchInEpoch;

  public IterationProbe(ProbeSettings settings, boolean hostMemory, ProbeGuard guard) {
    this.settings = settings;
    this.norms = new SegmentNorms(hostMemory);
    this.guard = guard;
    this.hostMemory = hostMemory;
    this.background = settings.background();
  }

  /** Call from {@code onGradientCalculation}: measures the raw gradient. */
  public void onGradient(Model model, Consumer<Event> out) {
    // A step measurement still in flight here means DL4J gave no onForwardPass this iteration:
    // the backward pass may have rewritten the update while it was read, but not the parameters.
    settle(false, true, out);
    haveGradient = false;
    guard.run(NORMS, () -> {
      fault(NORMS);
      Gradient g = model.gradient();
      INDArray flat = g == null ? null : flatGradient(model, g);
      if (flat == null) {
        return;
      }
      if (gradLayout == null || gradLayout.total() != flat.length()) {
        gradLayout = ParamLayout.of(flat, g.gradientForVariable());
        if (gradLayout == null) {
          throw new IllegalStateException("gradient views are not slices of one buffer");
        }
        gradSq = new double[gradLayout.size()];
        updSq = new double[gradLayout.size()];
      }
      norms.sumsOfSquares(flat, gradLayout, gradSq);
      gradientFinite = allFinite(gradSq);
      haveGradient = true;
    });
  }

  /** Call from {@code iterationDone}: measures the rest and emits the iteration's events. */
  public void onIterationDone(
      Model model, int iteration, int epoch, double stepMs, long dropped, double learningRate,
      HeaderFactory headers, Consumer<Event> out) {
    // Still in flight at the next boundary: neither callback in between came, and the step
    // may have rewritten both buffers while they were read.
    settle(false, false, out);
    if (epoch != lastEpoch) {
      lastEpoch = epoch;
      batchInEpoch = 0;
    }
    double loss = model.score();
    boolean lossFinite = Double.isFinite(loss);
    boolean measureAll =
        (settings.normsEvery() > 0 && iteration % settings.normsEvery() == 0)
            || !lossFinite
            || (haveGradient && !gradientFinite);
    int[] step = {NO_STEP};
    if (measureAll && haveGradient) {
      // A step that broke something is measured inline, so its reports keep the usual order.
      boolean inline = !lossFinite || !gradientFinite;
      guard.run(NORMS, () -> {
        fault(NORMS);
        step[0] = measureStepAndParams(model, inline);
      });
    }
    Header header = headers.header(iteration, epoch);
    int batchSize = model.batchSize();
    synchronized (this) {
      if (step[0] == STEP_IN_FLIGHT) {
        PendingStep p = new PendingStep(header, loss, stepMs, dropped, learningRate, batchSize,
            model, iteration, epoch, headers, out);
        pending = p;
        startInBackground(p);
      } else {
        out.accept(iterationEvent(header, loss, stepMs, dropped, learningRate, batchSize,
            step[0] == STEP_MEASURED, step[0] == STEP_MEASURED, haveGradient ? gradSq : null));
      }
    }

    guard.run(NONFINITE, () -> {
      fault(NONFINITE);
      checkNonFinite(model, iteration, epoch, loss, headers, e -> emit(e, out));
      if (step[0] == STEP_MEASURED) {
        checkParameters(model, iteration, epoch, headers, e -> emit(e, out));
      }
    });
    lossWasFinite = lossFinite;

    int every = settings.activationsEvery();
    if (every > 0 && iteration % every == 0 && guard.enabled(ACTIVATIONS)) {
      guard.run(ACTIVATIONS, () -> {
        fault(ACTIVATIONS);
        INDArray[] inputs = inputs(model);
        if (inputs.length > 0 && inputs[0] != null) {
          List<Activations.LayerActivity> acts = ActivationProbe.measure(model, inputs);
          if (!acts.isEmpty()) {
            emit(Activations.of(headers.header(iteration, epoch), acts), out);
          }
        }
      });
    }
    haveGradient = false;
    forwardPassSeen = false;
    batchInEpoch++;
  }

  /**
   * Hands {@code event} to {@code out}, or, while the iteration's step is still being measured,
   * holds it so that it follows the iteration's event as it would have without the helper.
   */
  public synchronized void emit(Event event, Consumer<Event> out) {
    if (pending != null) {
      held.add(event);
    } else {
      out.accept(event);
    }
  }

  /**
   * Call from DL4J's {@code onForwardPass}: the backward pass, which rewrites the buffer that
   * holds the last update, comes next. Also tells the probe that this training loop calls back
   * there, which the helper thread needs.
   */
  public void onForwardPass(Consumer<Event> out) {
    forwardPassSeen = true;
    settle(true, true, out);
  }

  /**
   * Call wherever the update or the parameters may be written next (before a task that changes
   * the model, on close): waits for a step measurement in flight and makes sure the iteration's
   * event and what was held behind it are out.
   */
  public void settle(Consumer<Event> out) {
    settle(true, true, out);
  }

  private void settle(boolean updateIntact, boolean paramsIntact, Consumer<Event> out) {
    if (worker == null) {
      return;
    }
    PendingStep p;
    synchronized (this) {
      p = pending;
    }
    if (p != null && !updateIntact) {
      // This loop did not call back between the boundary and the backward pass: measure on the
      // training thread from now on.
      background = false;
    }
    worker.await();
    if (p != null) {
      finish(p, updateIntact, paramsIntact);
    }
    Throwable normsFailed;
    Throwable checkFailed;
    synchronized (this) {
      normsFailed = stepFailure;
      checkFailed = paramCheckFailure;
      stepFailure = null;
      paramCheckFailure = null;
    }
    if (p != null || normsFailed != null) {
      guard.run(NORMS, () -> rethrow(normsFailed));
    }
    if (checkFailed != null) {
      guard.run(NONFINITE, () -> rethrow(checkFailed));
    }
  }

  private static void rethrow(Throwable t) {
    if (t instanceof RuntimeException) {
      throw (RuntimeException) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  private void startInBackground(PendingStep p) {
    INDArray update = stepUpdate;
    INDArray params = stepParams;
    stepUpdate = null;
    stepParams = null;
    worker.start(() -> {
      Throwable failure = null;
      try {
        fault(NORMS);
        worker.norms().sumsOfSquares(update, gradLayout, updSq);
        worker.norms().sumsOfSquares(params, paramLayout, parSq);
      } catch (Throwable t) {
        failure = t;
      }
      synchronized (this) {
        stepFailure = failure;
      }
      // Sent from here, the iteration's event does not wait for the next forward pass.
      finish(p, failure == null, failure == null);
    });
  }

  /**
   * Emits {@code p}'s iteration event and what was held behind it, once: by the helper when
   * its passes are done, or by the training thread when it cannot trust them.
   */
  private synchronized void finish(PendingStep p, boolean haveUpdate, boolean haveParams) {
    if (pending != p) {
      return;
    }
    pending = null;
    p.out.accept(iterationEvent(p.header, p.loss, p.stepMs, p.dropped, p.learningRate,
        p.batchSize, haveUpdate, haveParams, p.gradSq));
    for (Event e : held) {
      p.out.accept(e);
    }
    held.clear();
    // After what was held, unlike on the training thread, so that seq still rises on the wire.
    // Rare: a step with a finite loss and gradient (else it is measured inline) that leaves
    // non-finite parameters.
    if (haveParams && p.checkParams) {
      try {
        fault(NONFINITE);
        checkParameters(p.model, p.iteration, p.epoch, p.headers, p.out);
      } catch (Throwable t) {
        paramCheckFailure = t;
      }
    }
  }

  /** Stops the helper thread, if one was started; settle first. */
  public void close() {
    if (worker != null) {
      worker.close();
    }
  }

  /**
   * Below this many parameters the two passes take less than handing them to the helper and
   * waking it (the 20-64-3 MLP's steps took 1.75x as long with the helper, against 1.00x at
   * 1.86 M parameters), so they stay on the training thread.
   */
  static final long BACKGROUND_MIN_PARAMS = 1 << 19;

  /** {@link #BACKGROUND_MIN_PARAMS}, which tests lower to use the helper on small nets. */
  static volatile long backgroundMinParams = BACKGROUND_MIN_PARAMS;

  private static final int NO_STEP = 0;
  private static final int STEP_MEASURED = 1;
  private static final int STEP_IN_FLIGHT = 2;

  /** Measures the update and the parameters, here or on the helper thread. */
  private int measureStepAndParams(Model model, boolean inline) {
    // DL4J's updater rewrites the gradient view in place into the step, and the step function
    // subtracts that view from the parameters before iterationDone: the gradient buffer now
    // holds the update, so it needs neither a copy of the parameters nor a difference.
    INDArray update = flatGradient(model, model.gradient());
    INDArray params = model.params();
    if (paramLayout == null || paramLayout.total() != params.length()) {
      paramLayout = ParamLayout.of(params, model.paramTable());
      if (paramLayout == null || paramLayout.size() != gradLayout.size()) {
        throw new IllegalStateException("parameter views do not match the gradient's");
      }
      parSq = new double[paramLayout.size()];
    }
    if (background && hostMemory && forwardPassSeen && !inline
        && params.length() >= backgroundMinParams) {
      if (worker == null) {
        worker = new StepNormWorker();
      }
      if (worker.norms().hostContiguous(update) && update.length() == gradLayout.total()
          && worker.norms().hostContiguous(params) && params.length() == paramLayout.total()) {
        // Started once the iteration's event waits for it. The gradient slots stay as they are
        // until the next onGradient, which settles first.
        stepUpdate = update;
        stepParams = params;
        return STEP_IN_FLIGHT;
      }
    }
    norms.sumsOfSquares(update, gradLayout, updSq);
    norms.sumsOfSquares(params, paramLayout, parSq);
    return STEP_MEASURED;
  }

  /** What the iteration's event needs once its step measurement lands. */
  private final class PendingStep {
    final Header header;
    final double loss;
    final double stepMs;
    final long dropped;
    final double learningRate;
    final int batchSize;
    final Model model;
    final int iteration;
    final int epoch;
    final HeaderFactory headers;
    final Consumer<Event> out;
    final double[] gradSq;
    final boolean checkParams;

    PendingStep(Header header, double loss, double stepMs, long dropped, double learningRate,
        int batchSize, Model model, int iteration, int epoch, HeaderFactory headers,
        Consumer<Event> out) {
      this.header = header;
      this.loss = loss;
      this.stepMs = stepMs;
      this.dropped = dropped;
      this.learningRate = learningRate;
      this.batchSize = batchSize;
      this.model = model;
      this.iteration = iteration;
      this.epoch = epoch;
      this.headers = headers;
      this.out = out;
      this.gradSq = IterationProbe.this.gradSq;
      this.checkParams = guard.enabled(NONFINITE);
    }
  }

  /**
   * The flattened gradient of {@code g}, the model's current gradient. {@code g.gradient()}
   * returns a reshaped view: a new array, with newly allocated native shape information, on every
   * call. The networks build their {@code Gradient} on their own flattened gradient and hand that
   * out as it is; the layout check in {@link ParamLayout#of} still sees that every per-variable
   * gradient lies in it.
   */
  static INDArray flatGradient(Model model, Gradient g) {
    INDArray f = null;
    if (model instanceof MultiLayerNetwork) {
      f = ((MultiLayerNetwork) model).getFlattenedGradients();
    } else if (model instanceof ComputationGraph) {
      f = ((ComputationGraph) model).getFlattenedGradients();
    }
    return f != null ? f : g.gradient();
  }

  private Iteration iterationEvent(Header h, double loss, double stepMs, long dropped,
      double lr, int batchSize, boolean haveUpdate, boolean haveParams, double[] gradSq) {
    Iteration.Builder b =
        Iteration.builder(h).loss(loss).learningRate(lr).stepMs(stepMs)
            .batchSize(Math.max(0, batchSize)).dropped(dropped);
    if (gradSq != null) {
      // DL4J's gradient is summed over the minibatch (the updater divides it later); report the
      // gradient of the mean loss, which compares across batch sizes and matches the loss.
      double perExample = batchSize > 0 ? 1.0 / batchSize : 1.0;
      List<LayerStats> layers = new ArrayList<>(gradSq.length);
      double g = 0;
      double u = 0;
      double p = 0;
      for (int i = 0; i < gradSq.length; i++) {
        g += gradSq[i];
        double un = Double.NaN;
        double pn = Double.NaN;
        if (haveUpdate) {
          u += updSq[i];
          un = Math.sqrt(updSq[i]);
        }
        if (haveParams) {
          p += parSq[i];
          pn = Math.sqrt(parSq[i]);
        }
        layers.add(LayerStats.of(gradLayout.layer(i), gradLayout.param(i),
            Math.sqrt(gradSq[i]) * perExample, pn, un));
      }
      b.gradNorm(Math.sqrt(g) * perExample).layers(layers);
      if (haveUpdate) {
        b.updateNorm(Math.sqrt(u));
      }
      if (haveParams) {
        b.paramNorm(Math.sqrt(p));
      }
    }
    return b.build();
  }

  private void checkNonFinite(Model model, int iteration, int epoch, double loss,
      HeaderFactory headers, Consumer<Event> out) {
    boolean lossFinite = Double.isFinite(loss);
    INDArray[] inputs = inputs(model);
    INDArray[] labels = labels(model);
    boolean inputBad = anyNonFinite(inputs);
    boolean labelBad = anyNonFinite(labels);
    if (inputBad || labelBad) {
      // Each bad batch is reported: it is new data every time, and the rows say where.
      String fp = NonFiniteScan.fingerprint(concat(inputs, labels));
      if (inputBad) {
        reportBatch(NonFinite.Where.INPUT, inputs, fp, iteration, epoch, headers, out);
      }
      if (labelBad) {
        reportBatch(NonFinite.Where.LABEL, labels, fp, iteration, epoch, headers, out);
      }
    }
    if (!lossFinite && lossWasFinite) {
      out.accept(NonFinite.of(headers.header(iteration, epoch), NonFinite.Where.LOSS, "",
          Double.isNaN(loss) ? 1 : 0, Double.isInfinite(loss) ? 1 : 0, batchInEpoch,
          List.of(), List.of(), ""));
    }
    if (haveGradient) {
      if (!gradientFinite && gradientWasFinite) {
        reportSegments(NonFinite.Where.GRADIENT, gradSq, gradLayout, null, iteration, epoch,
            headers, out);
      }
      gradientWasFinite = gradientFinite;
    }
  }

  /** The parameters' non-finite report; their sums of squares must be this iteration's. */
  private void checkParameters(Model model, int iteration, int epoch, HeaderFactory headers,
      Consumer<Event> out) {
    boolean paramsFinite = allFinite(parSq);
    if (!paramsFinite && paramsWereFinite) {
      reportSegments(NonFinite.Where.PARAMETER, parSq, paramLayout, model.params(), iteration,
          epoch, headers, out);
    }
    paramsWereFinite = paramsFinite;
  }

  private void reportBatch(NonFinite.Where where, INDArray[] arrays, String fingerprint,
      int iteration, int epoch, HeaderFactory headers, Consumer<Event> out) {
    for (int k = 0; k < arrays.length; k++) {
      if (arrays[k] == null) {
        continue;
      }
      NonFiniteScan scan = NonFiniteScan.of(arrays[k]);
      if (scan.any()) {
        out.accept(NonFinite.of(headers.header(iteration, epoch), where,
            arrays.length > 1 ? "array " + k : "", scan.nan(), scan.inf(), batchInEpoch,
            scan.rows(), scan.cols(), fingerprint));
      }
    }
  }

  /** One event for the first segment (network order) holding non-finite values. */
  private void reportSegments(NonFinite.Where where, double[] sq, ParamLayout layout,
      INDArray flat, int iteration, int epoch, HeaderFactory headers, Consumer<Event> out) {
    for (int i = 0; i < sq.length; i++) {
      if (!Double.isFinite(sq[i])) {
        long nan = -1;
        long inf = -1;
        if (flat != null) {
          long s = layout.starts()[i];
          NonFiniteScan scan = NonFiniteScan.of(flat.get(
              org.nd4j.linalg.indexing.NDArrayIndex.interval(s, s + layout.lengths()[i])));
          nan = scan.nan();
          inf = scan.inf();
        }
        // For the gradient the buffer is already the update when we get here, so its counts
        // would be the update's: report the segment and leave counts to the parameter event.
        out.accept(NonFinite.of(headers.header(iteration, epoch), where,
            layout.layer(i) + (layout.param(i).isEmpty() ? "" : "/" + layout.param(i)),
            Math.max(0, nan), Math.max(0, inf), batchInEpoch, List.of(), List.of(), ""));
        return;
      }
    }
  }

  private static boolean allFinite(double[] v) {
    for (double x : v) {
      if (!Double.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private boolean anyNonFinite(INDArray[] arrays) {
    for (INDArray a : arrays) {
      if (a != null && !norms.allFinite(a)) {
        return true;
      }
    }
    return false;
  }

  private static INDArray[] concat(INDArray[] a, INDArray[] b) {
    INDArray[] out = new INDArray[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static INDArray[] inputs(Model model) {
    if (model instanceof MultiLayerNetwork) {
      return new INDArray[] {((MultiLayerNetwork) model).getInput()};
    }
    if (model instanceof ComputationGraph) {
      INDArray[] in = ((ComputationGraph) model).getInputs();
      return in == null ? new INDArray[0] : in;
    }
    return new INDArray[0];
  }

  static INDArray[] labels(Model model) {
    if (model instanceof MultiLayerNetwork) {
      return new INDArray[] {((MultiLayerNetwork) model).getLabels()};
    }
    if (model instanceof ComputationGraph) {
      ComputationGraph g = (ComputationGraph) model;
      List<INDArray> out = new ArrayList<>();
      for (int i = 0; i < g.getNumOutputArrays(); i++) {
        Layer l = g.getOutputLayer(i);
        if (l instanceof IOutputLayer) {
          out.add(((IOutputLayer) l).getLabels());
        }
      }
      return out.toArray(new INDArray[0]);
    }
    return new INDArray[0];
  }

  private static void fault(String probe) {
    Consumer<String> h = faultHook;
    if (h != null) {
      h.accept(probe);
    }
  }

  /** Layout of the last gradient measured, for tests. */
  List<String> segmentNames() {
    if (gradLayout == null) {
      return Collections.emptyList();
    }
    List<String> n = new ArrayList<>();
    for (int i = 0; i < gradLayout.size(); i++) {
      n.add(gradLayout.layer(i) + "/" + gradLayout.param(i));
    }
    return n;
  }
}
