package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The loss bounces: over the last {@code window} (50) steps, the share of steps where it rose by
 * more than {@code min_relative_rise} (10%) is at least {@code max_rise_share} (0.35). The rise
 * threshold is what separates oscillation from minibatch noise: with noise alone about half of
 * all steps go up, so counting every rise would say nothing; set it above your loss's
 * step-to-step noise. A learning rate too large for the curvature makes the loss jump up every
 * other step or so, which is what this sees. Delay: once {@code window * max_rise_share} large
 * rises fell in the window, i.e. about {@code 2 * window * max_rise_share} iterations into a
 * period-2 oscillation.
 */
public final class OscillationDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "oscillation",
          "share of steps where the loss rose markedly, over a window",
          Arrays.asList(
              ParamSpec.integer("window", 50, 2, "steps counted"),
              ParamSpec.number("min_relative_rise", 0.1, 0, "a rise counts above this fraction"),
              ParamSpec.number("max_rise_share", 0.35, 0, "share of rising steps that is too much")),
          OscillationDetector::new);

  private final boolean[] rises;
  private final double minRise;
  private final double maxShare;
  private int next;
  private int size;
  private int count;
  private double previous = Double.NaN;
  private Finding last = Finding.none();

  OscillationDetector(Params p) {
    this.rises = new boolean[p.size("window")];
    this.minRise = p.number("min_relative_rise");
    this.maxShare = p.number("max_rise_share");
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
    double loss = ((Iteration) event).loss();
    if (!Double.isFinite(loss)) {
      return last;
    }
    double prev = previous;
    previous = loss;
    if (Double.isNaN(prev)) {
      return last;
    }
    boolean rose = loss - prev > minRise * Math.abs(prev);
    if (size == rises.length) {
      if (rises[next]) {
        count--;
      }
    } else {
      size++;
    }
    rises[next] = rose;
    if (rose) {
      count++;
    }
    next = next + 1 == rises.length ? 0 : next + 1;
    if (size < rises.length) {
      return last;
    }
    double share = (double) count / size;
    if (share >= maxShare) {
      if (!last.active()) {
        last =
            Finding.active(share,
                String.format(Locale.ROOT,
                    "loss rose by more than %.0f%% in %d of the last %d steps (iteration %d)",
                    100 * minRise, count, size, event.iter()));
      }
    } else {
      last = Finding.clear();
    }
    return last;
  }
}
