package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Stuck near a saddle point: the loss is on a plateau (parameters of {@link PlateauDetector}),
 * the gradient is small, and the latest curvature estimate shows a negative eigenvalue beyond its
 * noise floor (Dauphin et al., NeurIPS 2014: plateaus of high-dimensional losses are mostly
 * saddles, and escaping takes a step along the negative-curvature direction).
 *
 * <ul>
 *   <li>Small gradient: an exponential moving average of the gradient norm (time constant
 *       {@code block} iterations) below {@code small_gradient_fraction} (0.1) of the largest
 *       value that average took in this run — scale-free, unlike an absolute bound.
 *   <li>Noise floor on lambda_min: a Lanczos estimate from one minibatch is noisy, so
 *       lambda_min must be below -max({@code negative_floor} (1e-6), {@code relative_floor}
 *       (0.01) * |lambda_max|, residual_min) — the last because an eigenvalue known only to within
 *       its residual ||Hv - lambda v|| cannot be told apart from 0 if it is smaller.
 *   <li>The curvature sample is used for {@code max_curvature_age} (1000) iterations.
 * </ul>
 *
 * Delay: as the plateau test (up to {@code window} iterations), or until the next curvature
 * event when that comes later.
 */
public final class SaddleDetector implements Detector {
  static final DetectorSpec SPEC;

  static {
    List<ParamSpec> ps = new ArrayList<>(Arrays.asList(LossPlateau.params(200)));
    ps.add(ParamSpec.number("small_gradient_fraction", 0.1, 0,
        "gradient norm average below this share of its peak counts as small"));
    ps.add(ParamSpec.number("negative_floor", 1e-6, 0, "absolute noise floor on lambda_min"));
    ps.add(ParamSpec.number("relative_floor", 0.01, 0,
        "noise floor on lambda_min as a share of |lambda_max|"));
    ps.add(ParamSpec.integer("max_curvature_age", 1000, 1,
        "iterations a curvature estimate stays usable"));
    SPEC =
        DetectorSpec.of(
            "saddle",
            "loss plateau with a small gradient and significant negative curvature",
            ps,
            SaddleDetector::new);
  }

  private final LossPlateau plateau;
  private final double smallFraction;
  private final double negativeFloor;
  private final double relativeFloor;
  private final long maxAge;
  private final double alpha;
  private double gradAvg = Double.NaN;
  private double gradPeak;
  private double lambdaMin = Double.NaN;
  private double lambdaMax = Double.NaN;
  private double residualMin = Double.NaN;
  private long curvatureIter = Long.MIN_VALUE;
  private Finding last = Finding.none();

  SaddleDetector(Params p) {
    this.plateau = new LossPlateau(p);
    this.smallFraction = p.number("small_gradient_fraction");
    this.negativeFloor = p.number("negative_floor");
    this.relativeFloor = p.number("relative_floor");
    this.maxAge = p.integer("max_curvature_age");
    this.alpha = 1.0 / p.size(LossPlateau.BLOCK);
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION && type != EventType.CURVATURE;
  }

  @Override
  public Finding onEvent(Event event) {
    switch (event.type()) {
      case CURVATURE:
        Curvature c = (Curvature) event;
        lambdaMin = c.lambdaMin();
        lambdaMax = c.lambdaMax();
        residualMin = c.residualMin();
        curvatureIter = c.iter();
        return evaluate(c.iter());
      case ITERATION:
        Iteration it = (Iteration) event;
        double g = it.gradNorm();
        if (Double.isFinite(g)) {
          gradAvg = Double.isNaN(gradAvg) ? g : gradAvg + alpha * (g - gradAvg);
          gradPeak = Math.max(gradPeak, gradAvg);
        }
        return plateau.add(it.loss()) ? evaluate(it.iter()) : last;
      default:
        return last;
    }
  }

  private Finding evaluate(long iter) {
    if (!plateau.ready() || curvatureIter == Long.MIN_VALUE || iter - curvatureIter > maxAge
        || Double.isNaN(lambdaMin) || Double.isNaN(gradAvg)) {
      return last;
    }
    double floor = Math.max(negativeFloor, relativeFloor * Math.abs(lambdaMax));
    if (Double.isFinite(residualMin)) {
      floor = Math.max(floor, residualMin);
    }
    // A gradient that is exactly 0 is small by any measure, also when it never was anything
    // else (a net started at a strict saddle, where the peak is 0 as well).
    boolean small = gradAvg == 0 || gradAvg < smallFraction * gradPeak;
    if (plateau.flat() && small && lambdaMin < -floor) {
      if (last.active()) {
        return last; // the onset's evidence stands while it lasts
      }
      last =
          Finding.active(
              lambdaMin,
              String.format(Locale.ROOT,
                  "lambda_min %.3g below the noise floor -%.2g, gradient norm %.3g (%.0f%% of its"
                      + " peak) at iteration %d; %s",
                  lambdaMin, floor, gradAvg, gradPeak > 0 ? 100 * gradAvg / gradPeak : 0, iter,
                  plateau.describe()));
    } else {
      last = Finding.clear();
    }
    return last;
  }
}
