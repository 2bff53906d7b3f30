package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobStarted;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Vanishing gradients, only while the loss is on a plateau (a small gradient on a falling loss is
 * convergence, not a problem). The gradient test holds when either
 *
 * <ul>
 *   <li>the first layer's gradient norm is below {@code first_layer_norm} (1e-4) and the
 *       first/last layer ratio below {@code layer_ratio} (1e-3) — AUTOTRAINER's rule (Zhang et
 *       al., ICSE 2021), from the per-layer list; or
 *   <li>the mean absolute gradient is below {@code mean_abs} (1e-7, SageMaker Debugger's
 *       {@code vanishing_gradient} threshold). Events carry the L2 norm, not the mean |g|, so the
 *       test uses the root mean square ||g|| / sqrt(n), with n the parameter count from
 *       {@code job_started}; RMS >= mean |g|, so RMS below the bound implies mean |g| below it too
 *       (the test can only miss, never invent, a vanishing gradient).
 * </ul>
 *
 * The plateau parameters are those of {@link PlateauDetector} (default window 200). Delay: the
 * plateau verdict needs the window to fill and is redone every {@code block} iterations, so up
 * to {@code window} iterations after the gradients vanish.
 */
public final class VanishingGradientsDetector implements Detector {
  static final DetectorSpec SPEC;

  static {
    List<ParamSpec> ps = new ArrayList<>(Arrays.asList(LossPlateau.params(200)));
    ps.add(ParamSpec.number("first_layer_norm", 1e-4, 0,
        "first-layer gradient norm below which it vanishes (AUTOTRAINER)"));
    ps.add(ParamSpec.number("layer_ratio", 1e-3, 0,
        "first/last layer gradient norm ratio below which it vanishes (AUTOTRAINER)"));
    ps.add(ParamSpec.number("mean_abs", 1e-7, 0,
        "mean |gradient| below which it vanishes (SageMaker Debugger)"));
    SPEC =
        DetectorSpec.of(
            "vanishing_gradients",
            "gradients vanish (AUTOTRAINER layer test or SageMaker mean |g|) on a loss plateau",
            ps,
            VanishingGradientsDetector::new);
  }

  private final LossPlateau plateau;
  private final double firstLayerNorm;
  private final double layerRatio;
  private final double meanAbs;
  private long paramCount;
  private Finding last = Finding.none();

  VanishingGradientsDetector(Params p) {
    this.plateau = new LossPlateau(p);
    this.firstLayerNorm = p.number("first_layer_norm");
    this.layerRatio = p.number("layer_ratio");
    this.meanAbs = p.number("mean_abs");
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION && type != EventType.JOB_STARTED;
  }

  @Override
  public Finding onEvent(Event event) {
    switch (event.type()) {
      case JOB_STARTED:
        paramCount = ((JobStarted) event).totalParams();
        return last;
      case ITERATION:
        return onIteration((Iteration) event);
      default:
        return last;
    }
  }

  private Finding onIteration(Iteration it) {
    plateau.add(it.loss());
    if (!plateau.ready()) {
      return last;
    }
    double first = Double.NaN;
    double ratio = Double.NaN;
    if (LayerNorms.twoLayers(it.layers())) {
      first = LayerNorms.first(it.layers());
      ratio = first / LayerNorms.last(it.layers());
    }
    boolean layerTest = first < firstLayerNorm && ratio < layerRatio;
    double rms = paramCount > 0 ? it.gradNorm() / Math.sqrt(paramCount) : Double.NaN;
    boolean rmsTest = rms < meanAbs;
    if (!(layerTest || rmsTest) || !plateau.flat()) {
      last = Finding.clear();
      return last;
    }
    if (last.active()) {
      return last; // the evidence of the first active iteration stands; avoids a string per step
    }
    String why =
        layerTest
            ? String.format(Locale.ROOT, "first-layer gradient norm %.3g, first/last ratio %.3g",
                first, ratio)
            : String.format(Locale.ROOT, "gradient RMS %.3g below %.1g", rms, meanAbs);
    last = Finding.active(layerTest ? first : rms,
        why + " at iteration " + it.iter() + "; " + plateau.describe());
    return last;
  }
}
