package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A layer whose units are mostly dead (ReLU family: never positive on the batch) or saturated
 * (sigmoid/tanh: within 1% of their bounds), from sampled {@code activations} events. Active
 * while the worst layer's fraction exceeds {@code max_fraction} (default 0.5: SageMaker
 * Debugger's {@code dead_relu} rule flags a layer when over 50% of its units are inactive, and
 * its {@code saturated_activation} rule likewise). Layers where the statistic does not apply
 * (NaN) are skipped. Delay: the first activations sample after onset.
 */
public final class ActivationDetector implements Detector {
  static final DetectorSpec DEAD_UNITS =
      DetectorSpec.of(
          "dead_units",
          "share of dead units in the worst layer",
          Arrays.asList(
              ParamSpec.number("max_fraction", 0.5, 0, "dead share above which a layer is sick")),
          p -> new ActivationDetector(p, true));

  static final DetectorSpec SATURATION =
      DetectorSpec.of(
          "saturation",
          "share of saturated units in the worst layer",
          Arrays.asList(
              ParamSpec.number("max_fraction", 0.5, 0,
                  "saturated share above which a layer is sick")),
          p -> new ActivationDetector(p, false));

  private final double maxFraction;
  private final boolean dead;
  private Finding last = Finding.none();

  private ActivationDetector(Params p, boolean dead) {
    this.maxFraction = p.number("max_fraction");
    this.dead = dead;
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ACTIVATIONS;
  }

  @Override
  public Finding onEvent(Event event) {
    if (event.type() != EventType.ACTIVATIONS) {
      return last;
    }
    List<Activations.LayerActivity> layers = ((Activations) event).layers();
    double worst = Double.NaN;
    String where = "";
    for (int i = 0; i < layers.size(); i++) {
      Activations.LayerActivity a = layers.get(i);
      double f = dead ? a.deadFraction() : a.saturatedFraction();
      if (f > worst || (Double.isNaN(worst) && !Double.isNaN(f))) {
        worst = f;
        where = a.layer();
      }
    }
    if (Double.isNaN(worst)) {
      return last;
    }
    if (worst > maxFraction) {
      last = Finding.active(worst,
          String.format(Locale.ROOT, "%.0f%% of layer %s's units are %s at iteration %d",
              100 * worst, where, dead ? "dead" : "saturated", event.iter()));
    } else if (last.active() || last.isNone()
        || Double.doubleToLongBits(last.value()) != Double.doubleToLongBits(worst)) {
      last = Finding.clear(worst); // an equal all-clear is kept rather than made anew
    }
    return last;
  }
}
