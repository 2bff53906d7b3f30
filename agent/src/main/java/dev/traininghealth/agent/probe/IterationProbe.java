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
 * events. Used from the training thread only.
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
  }

  /** Call from {@code onGradientCalculation}: measures the raw gradient. */
  public void onGradient(Model model) {
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
    boolean[] haveStep = {false};
    if (measureAll && haveGradient) {
      guard.run(NORMS, () -> {
        fault(NORMS);
        measureStepAndParams(model);
        haveStep[0] = true;
      });
    }
    out.accept(iterationEvent(headers.header(iteration, epoch), loss, stepMs, dropped,
        learningRate, model.batchSize(), haveStep[0]));

    guard.run(NONFINITE, () -> {
      fault(NONFINITE);
      checkNonFinite(model, iteration, epoch, loss, haveStep[0], headers, out);
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
            out.accept(Activations.of(headers.header(iteration, epoch), acts));
          }
        }
      });
    }
    haveGradient = false;
    batchInEpoch++;
  }

  private void measureStepAndParams(Model model) {
    // DL4J's updater rewrites the gradient view in place into the step, and the step function
    // subtracts that view from the parameters before iterationDone: the gradient buffer now
    // holds the update, so it needs neither a copy of the parameters nor a difference.
    INDArray update = flatGradient(model, model.gradient());
    norms.sumsOfSquares(update, gradLayout, updSq);
    INDArray params = model.params();
    if (paramLayout == null || paramLayout.total() != params.length()) {
      paramLayout = ParamLayout.of(params, model.paramTable());
      if (paramLayout == null || paramLayout.size() != gradLayout.size()) {
        throw new IllegalStateException("parameter views do not match the gradient's");
      }
      parSq = new double[paramLayout.size()];
    }
    norms.sumsOfSquares(params, paramLayout, parSq);
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
      double lr, int batchSize, boolean haveStep) {
    Iteration.Builder b =
        Iteration.builder(h).loss(loss).learningRate(lr).stepMs(stepMs)
            .batchSize(Math.max(0, batchSize)).dropped(dropped);
    if (haveGradient) {
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
        if (haveStep) {
          u += updSq[i];
          p += parSq[i];
          un = Math.sqrt(updSq[i]);
          pn = Math.sqrt(parSq[i]);
        }
        layers.add(LayerStats.of(gradLayout.layer(i), gradLayout.param(i),
            Math.sqrt(gradSq[i]) * perExample, pn, un));
      }
      b.gradNorm(Math.sqrt(g) * perExample).layers(layers);
      if (haveStep) {
        b.updateNorm(Math.sqrt(u)).paramNorm(Math.sqrt(p));
      }
    }
    return b.build();
  }

  private void checkNonFinite(Model model, int iteration, int epoch, double loss,
      boolean haveStep, HeaderFactory headers, Consumer<Event> out) {
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
    if (haveStep) {
      boolean paramsFinite = allFinite(parSq);
      if (!paramsFinite && paramsWereFinite) {
        reportSegments(NonFinite.Where.PARAMETER, parSq, paramLayout, model.params(), iteration,
            epoch, headers, out);
      }
      paramsWereFinite = paramsFinite;
    }
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
