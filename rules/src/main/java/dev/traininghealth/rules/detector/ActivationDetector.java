package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A layer whose units are mostly dead (ReLU family: never positive on the batch) or saturated
 * (sigmoid/tanh: within 1% of their bounds), or that is blind to much of the batch (ReLU family:
 * no unit positive on an example), from sampled {@code activations} events. Active
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
          p -> new ActivationDetector(p, Statistic.DEAD));

  static final DetectorSpec SATURATION =
      DetectorSpec.of(
          "saturation",
          "share of saturated units in the worst layer",
          Arrays.asList(
              ParamSpec.number("max_fraction", 0.5, 0,
                  "saturated share above which a layer is sick")),
          p -> new ActivationDetector(p, Statistic.SATURATED));

  /**
   * No default rule uses it: a wide layer is almost never blind to an example, and a narrow one
   * that is may be fine (a ReLU unit is meant to be off somewhere). It is a rescue signal for
   * small nets stuck in a bad basin (rescue-rules.yaml).
   */
  static final DetectorSpec BLIND_INPUTS =
      DetectorSpec.of(
          "blind_inputs",
          "share of the batch on which no unit of the worst ReLU layer is positive",
          Arrays.asList(
              ParamSpec.number("max_fraction", 0.5, 0,
                  "blind share of the batch above which a layer is sick")),
          p -> new ActivationDetector(p, Statistic.BLIND));

  /** Which of a layer's fractions the detector watches, and how its evidence names it. */
  private enum Statistic {
    DEAD("of layer %s's units are dead"),
    SATURATED("of layer %s's units are saturated"),
    BLIND("of the batch gets no positive unit of layer %s");

    final String words;

    Statistic(String words) {
      this.words = words;
    }

    double of(Activations.LayerActivity a) {
      switch (this) {
        case DEAD:
          return a.deadFraction();
        case BLIND:
          return a.blindFraction();
        default:
          return a.saturatedFraction();
      }
    }
  }

  private final double maxFraction;
  private final Statistic statistic;
  private Finding last = Finding.none();

  private ActivationDetector(Params p, Statistic statistic) {
    this.maxFraction = p.number("max_fraction");
    this.statistic = statistic;
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
      double f = statistic.of(a);
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
          String.format(Locale.ROOT, "%.0f%% " + statistic.words + " at iteration %d",
              100 * worst, where, event.iter()));
    } else if (last.active() || last.isNone()
        || Double.doubleToLongBits(last.value()) != Double.doubleToLongBits(worst)) {
      last = Finding.clear(worst); // an equal all-clear is kept rather than made anew
    }
    return last;
  }
}
