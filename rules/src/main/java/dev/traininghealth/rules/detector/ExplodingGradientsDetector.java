package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Exploding gradients: for {@code consecutive} iterations in a row, at least one of
 *
 * <ul>
 *   <li>the global gradient norm is above {@code max_norm} (default 1e4: deliberately loose,
 *       since the right bound depends on the model; set it where you know your scale);
 *   <li>it is at least {@code median_factor} (10) times its rolling median over the last
 *       {@code median_window} (100) iterations — the scale-free test that catches nets which
 *       blow up evenly in every layer; the median is refreshed every {@code median_window / 2}
 *       iterations and recomputed exactly whenever a norm exceeds the factor against the cached
 *       one, so the test is exact where it matters and cheap elsewhere;
 *   <li>the first layer's gradient norm over the last layer's is above {@code layer_ratio} (70,
 *       AUTOTRAINER, Zhang et al., ICSE 2021), from the per-layer list when the agent sends it.
 * </ul>
 *
 * {@code consecutive} defaults to 3 so that one large but harmless step does not fire. With
 * {@code unless_loss_falls} (off by default) the run of {@code consecutive} iterations does not
 * fire while the loss is below where it was before the run began: large gradients on a loss that
 * is falling fast are a steep descent, not a blow-up. The zoo's saddle, once a curvature step
 * has freed it, crosses the default bound (batch-summed gradients above 1e4) for a few dozen
 * iterations while its loss falls by orders of magnitude; a rule that rolls back on this detector
 * would undo that descent. The median
 * test waits for {@code median_window / 4} iterations of history. Delay: {@code consecutive}
 * iterations after onset.
 */
public final class ExplodingGradientsDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "exploding_gradients",
          "gradient norm above a bound, far above its rolling median, or first/last layer ratio"
              + " too large",
          Arrays.asList(
              ParamSpec.number("max_norm", 1e4, 0, "absolute bound on the global gradient norm"),
              ParamSpec.number("median_factor", 10, 1, "times the rolling median that is too much"),
              ParamSpec.integer("median_window", 100, 8, "iterations in the rolling median"),
              ParamSpec.number("layer_ratio", 70, 1,
                  "first/last layer gradient norm ratio that is too much (AUTOTRAINER)"),
              ParamSpec.integer("consecutive", 3, 1, "iterations in a row the condition holds"),
              ParamSpec.bool("unless_loss_falls", false,
                  "not while the loss is below where it was before the condition began")),
          ExplodingGradientsDetector::new);

  private final double maxNorm;
  private final double medianFactor;
  private final double layerRatio;
  private final int consecutive;
  private final boolean unlessLossFalls;
  /** The loss of the iteration before the current one, and of the one before the run began. */
  private double prevLoss = Double.NaN;
  private double lossBeforeRun = Double.NaN;
  private final DoubleRing norms;
  private final double[] scratch;
  private final int refreshEvery;
  private final int minHistory;
  private double median = Double.NaN;
  private int sinceRefresh;
  private int run;
  private Finding last = Finding.none();

  ExplodingGradientsDetector(Params p) {
    this.maxNorm = p.number("max_norm");
    this.medianFactor = p.number("median_factor");
    this.layerRatio = p.number("layer_ratio");
    this.consecutive = p.size("consecutive");
    this.unlessLossFalls = p.bool("unless_loss_falls");
    int w = p.size("median_window");
    this.norms = new DoubleRing(w);
    this.scratch = new double[w];
    this.refreshEvery = Math.max(1, w / 2);
    this.minHistory = Math.max(4, w / 4);
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION;
  }

  @Override
  public Finding onEvent(Event event) {
    if (event.type() != EventType.ITERATION) {
      return last;
    }
    Iteration it = (Iteration) event;
    double g = it.gradNorm();
    double first = Double.NaN;
    double ratio = Double.NaN;
    if (LayerNorms.twoLayers(it.layers())) {
      first = LayerNorms.first(it.layers());
      ratio = first / LayerNorms.last(it.layers());
    }
    String why = null;
    if (g > maxNorm) {
      why = "above the bound " + maxNorm;
    } else if (g > 0 && g >= medianFactor * median && norms.size() >= minHistory
        && g >= medianFactor * (median = norms.median(scratch)) && median > 0) {
      // A median of 0 (an exact saddle: the gradient is 0 at every step) makes any ratio
      // meaningless, and 0 >= 10 x 0 would fire on a gradient that never moved.
      // The cached median is refreshed only now and then; confirm with an exact one.
      sinceRefresh = 0;
      why = fmt("%.1fx its rolling median %.3g", g / median, median);
    }
    if (why == null && ratio > layerRatio) {
      why = fmt("first/last layer ratio %.1f > %.0f", ratio, layerRatio);
    }
    if (Double.isFinite(g)) {
      norms.add(g);
      if (++sinceRefresh >= refreshEvery || Double.isNaN(median)) {
        median = norms.median(scratch);
        sinceRefresh = 0;
      }
    }
    double before = prevLoss;
    prevLoss = it.loss();
    if (why == null) {
      run = 0;
      if (!Double.isNaN(g) || !Double.isNaN(ratio)) {
        last = Finding.clear();
      }
      return last;
    }
    if (run++ == 0) {
      lossBeforeRun = before;
    }
    if (unlessLossFalls && it.loss() < lossBeforeRun) {
      // Descending steeply. A NaN loss compares false: it is no descent, and the run counts.
      last = Finding.clear();
      return last;
    }
    if (run >= consecutive) {
      last =
          Finding.active(
              g,
              fmt("gradient norm %.3g at iteration %d, %s, for %d iterations", g, it.iter(), why,
                  run));
    }
    return last;
  }

  private static String fmt(String f, Object... args) {
    return String.format(Locale.ROOT, f, args);
  }
}
