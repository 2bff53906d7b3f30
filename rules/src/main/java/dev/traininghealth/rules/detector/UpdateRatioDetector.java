package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A layer's step is out of proportion to its weights: update norm / parameter norm outside
 * [{@code min}, {@code max}] (default [1e-5, 1e-1]; the rule of thumb — Karpathy's CS231n notes —
 * is about 1e-3, so the band is two orders of magnitude either side). Below, the layer barely
 * learns; above, each step rewrites a large share of it. Bias entries ({@code param} "b") are
 * skipped by default ({@code include_bias}: false), since biases start at zero and their ratio
 * means little early on. Uses {@code Iteration.layers()}; silent when it is empty. Delay: the
 * iteration itself; use the rule's {@code for} to require persistence.
 */
public final class UpdateRatioDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "update_ratio",
          "per-layer update/parameter norm ratio outside a band",
          Arrays.asList(
              ParamSpec.number("min", 1e-5, 0, "lowest healthy update/parameter ratio"),
              ParamSpec.number("max", 1e-1, 0, "highest healthy update/parameter ratio"),
              ParamSpec.bool("include_bias", false, "also judge bias parameters (\"b\")")),
          UpdateRatioDetector::new);

  private final double min;
  private final double max;
  private final boolean includeBias;
  private Finding last = Finding.none();

  UpdateRatioDetector(Params p) {
    this.min = p.number("min");
    this.max = p.number("max");
    if (min > max) {
      throw new IllegalArgumentException("min (" + min + ") must be <= max (" + max + ")");
    }
    this.includeBias = p.bool("include_bias");
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
    List<LayerStats> layers = ((Iteration) event).layers();
    int bad = -1;
    int judged = 0;
    for (int i = 0; i < layers.size(); i++) {
      LayerStats s = layers.get(i);
      if (!includeBias && s.param().equals("b")) {
        continue;
      }
      double r = s.updateRatio();
      if (Double.isNaN(r)) {
        continue;
      }
      judged++;
      if (r < min || r > max) {
        bad = i;
        break;
      }
    }
    if (bad < 0) {
      if (judged > 0) {
        last = Finding.clear();
      }
      return last;
    }
    LayerStats s = layers.get(bad);
    double r = s.updateRatio();
    if (last.active() && last.value() == r) {
      return last;
    }
    last =
        Finding.active(r,
            String.format(Locale.ROOT, "layer %s%s update/parameter ratio %.2e outside [%.0e, %.0e]"
                    + " at iteration %d",
                s.layer(), s.param().isEmpty() ? "" : " " + s.param(), r, min, max,
                event.iter()));
    return last;
  }
}
