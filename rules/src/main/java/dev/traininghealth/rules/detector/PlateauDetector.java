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
 * <p>{@code min_share_of_start} (default 0, off) tells a run that stalled early from one that
 * converged: the loss only counts as on a plateau while its latest block mean is at least that
 * share of the run's first block mean. A run stuck on a plateau or at a saddle sits near where
 * it started (XOR and the zoo's saddle at 100%, the zoo's bad local minimum at 22%), a run that
 * converged far below it (the zoo's healthy MLP at 0.1%); rules that act on a plateau by
 * throwing the run away need that difference, rules that only inform do not.
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
          params(),
          PlateauDetector::new);

  static final String MIN_SHARE_OF_START = "min_share_of_start";

  private final LossPlateau plateau;
  private final double minShareOfStart;
  private final int block;
  private double startMean = Double.NaN;
  private double blockSum;
  private int blockCount;
  private double recentMean = Double.NaN;
  private Finding last = Finding.none();

  PlateauDetector(Params p) {
    this.plateau = new LossPlateau(p);
    this.minShareOfStart = p.number(MIN_SHARE_OF_START);
    this.block = p.size(LossPlateau.BLOCK);
  }

  private static java.util.List<ParamSpec> params() {
    java.util.List<ParamSpec> ps =
        new java.util.ArrayList<>(java.util.Arrays.asList(LossPlateau.params(200)));
    ps.add(ParamSpec.number(MIN_SHARE_OF_START, 0, 0,
        "a plateau counts only while the loss is at least this share of the run's first block"
            + " mean (0: always); tells a run stuck early from a converged one"));
    return ps;
  }

  @Override
  public Finding onEvent(Event event) {
    if (event.type() != EventType.ITERATION) {
      return last;
    }
    double loss = ((Iteration) event).loss();
    if (Double.isFinite(loss)) {
      blockSum += loss;
      if (++blockCount == block) {
        recentMean = blockSum / block;
        if (Double.isNaN(startMean)) {
          startMean = recentMean;
        }
        blockSum = 0;
        blockCount = 0;
      }
    }
    if (plateau.add(loss)) {
      if (!plateau.flat() || farBelowStart()) {
        last = Finding.clear();
      } else if (!last.active()) {
        // The evidence of the onset stands while the plateau lasts: no string per block.
        last = Finding.active(plateau.relativeImprovement(), plateau.describe());
      }
    }
    return last;
  }

  /** Whether the loss has fallen below {@code min_share_of_start} of where the run began. */
  private boolean farBelowStart() {
    return minShareOfStart > 0 && startMean > 0 && recentMean < minShareOfStart * startMean;
  }
}
