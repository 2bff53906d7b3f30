package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import java.util.Arrays;
import java.util.Locale;

/**
 * A sudden jump of the loss: the z-score of log(loss) against the mean and standard deviation of
 * the previous {@code window} (100) log-losses is above {@code z} (6). Logs, because losses are
 * positive and their noise is roughly multiplicative, so one threshold serves a loss of 2.3 and
 * one of 0.01. The standard deviation is floored at {@code min_log_std} (0.01, i.e. 1%) so a very
 * smooth loss does not turn every wobble into a spike. Needs {@code window / 5} losses of history.
 * Mean and variance are running sums, recomputed exactly once per window against rounding drift.
 * Delay: the spiking iteration itself.
 */
public final class LossSpikeDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "loss_spike",
          "z-score of log(loss) against a rolling window",
          Arrays.asList(
              ParamSpec.integer("window", 100, 5, "previous losses the z-score is against"),
              ParamSpec.number("z", 6, 0, "z-score that makes a spike"),
              ParamSpec.number("min_log_std", 0.01, 0, "floor of the standard deviation of log loss")),
          LossSpikeDetector::new);

  private final DoubleRing logs;
  private final double zLimit;
  private final double minStd;
  private final int minHistory;
  private double sum;
  private double sumSq;
  private int sinceExact;
  private Finding last = Finding.none();

  LossSpikeDetector(Params p) {
    this.logs = new DoubleRing(p.size("window"));
    this.zLimit = p.number("z");
    this.minStd = p.number("min_log_std");
    this.minHistory = Math.max(5, logs.capacity() / 5);
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
    if (!(loss > 0) || Double.isInfinite(loss)) {
      return last; // non-finite losses belong to the nonfinite rule; log needs a positive loss
    }
    double x = Math.log(loss);
    int n = logs.size();
    if (n >= minHistory) {
      double mean = sum / n;
      double sd = Math.max(minStd, Math.sqrt(Math.max(0, sumSq / n - mean * mean)));
      double z = (x - mean) / sd;
      if (z > zLimit) {
        last =
            Finding.active(z,
                String.format(Locale.ROOT,
                    "loss %.4g at iteration %d is %.1f standard deviations above the last %d",
                    loss, event.iter(), z, n));
      } else {
        last = Finding.clear();
      }
    }
    double out = logs.add(x);
    sum += x;
    sumSq += x * x;
    if (!Double.isNaN(out)) {
      sum -= out;
      sumSq -= out * out;
    }
    if (++sinceExact >= logs.capacity()) {
      sinceExact = 0;
      sum = 0;
      sumSq = 0;
      for (int i = 0; i < logs.size(); i++) {
        double v = logs.get(i);
        sum += v;
        sumSq += v * v;
      }
    }
    return last;
  }
}
