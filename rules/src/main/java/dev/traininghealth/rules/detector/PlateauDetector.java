package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;

/**
 * The loss stopped going down: over the last {@code window} iterations a Mann-Kendall test on
 * block means of {@code block} losses finds no significant fall (z above -{@code z}), or the fall
 * from the oldest fifth of the window to the newest is below {@code min_relative_improvement}.
 * A rising loss counts as not improving too.
 *
 * <p>Parameters and defaults: {@code window} 200, {@code block} 10 (20 block means),
 * {@code min_relative_improvement} 1e-3 (the {@code min_delta} people give Keras'
 * {@code EarlyStopping}/{@code ReduceLROnPlateau} relative to the loss), {@code z} 1.645
 * (one-sided 5%). See {@link BlockTrend} for why block means. It leaves the plateau only at the
 * stricter {@code leave_z} (2.326) and {@code leave_relative_improvement} (2%), so that a
 * converging loss does not flap in and out (see {@link LossPlateau}).
 *
 * <p>While the plateau lasts the finding keeps the value and evidence of its onset.
 *
 * <p>Delay: the verdict is first given once {@code window} finite losses have arrived and is
 * redone every {@code block} iterations, so a plateau that starts at iteration t is reported by
 * t + window (the test needs most of the window flat) and usually earlier, near t + window / 2.
 */
public final class PlateauDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "plateau",
          "the loss shows no significant downward trend over a window",
          java.util.Arrays.asList(LossPlateau.params(200)),
          PlateauDetector::new);

  private final LossPlateau plateau;
  private Finding last = Finding.none();

  PlateauDetector(Params p) {
    this.plateau = new LossPlateau(p);
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION;
  }

  @Override
  public Finding onEvent(Event event) {
    if (event.type() == EventType.ITERATION && plateau.add(((Iteration) event).loss())) {
      if (!plateau.flat()) {
        last = Finding.clear();
      } else if (!last.active()) {
        // The evidence of the onset stands while the plateau lasts: no string per block.
        last = Finding.active(plateau.relativeImprovement(), plateau.describe());
      }
    }
    return last;
  }
}
