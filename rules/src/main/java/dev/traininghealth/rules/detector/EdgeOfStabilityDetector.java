package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobStarted;
import java.util.Arrays;
import java.util.Locale;

/**
 * Sharpness against the optimizer's stability threshold. The value is the ratio r = sharpness /
 * threshold, where (Cohen et al., ICLR 2021 and "Adaptive gradient methods at the edge of
 * stability", 2022):
 *
 * <ul>
 *   <li>SGD ({@code Sgd}): lambda_max against 2/eta;
 *   <li>heavy-ball or Nesterov momentum beta ({@code Nesterovs}): lambda_max against
 *       2(1+beta)/eta, beta = {@code momentum} (0.9, DL4J's default);
 *   <li>Adam family ({@code Adam}, {@code AdamW}, {@code Nadam}, {@code AMSGrad},
 *       {@code AdaMax}): the preconditioned sharpness lambda_max(P^-1 H) against
 *       (2+2 beta1)/((1-beta1) eta), which is 38/eta for beta1 = {@code beta1} (0.9);
 *   <li>{@code RmsProp}, {@code AdaGrad} (preconditioned, no momentum): 2/eta on the
 *       preconditioned sharpness. Other updaters: no verdict.
 * </ul>
 *
 * The updater comes from {@code job_started} (or the {@code updater} param, which wins), eta from
 * the latest iteration's learning rate (else {@code job_started}'s). Full-batch gradient descent
 * normally settles at r close to 1 ("progressive sharpening" then the edge of stability) while the
 * loss still falls, so r close to 1 is information; r clearly above 1 with a rising loss means
 * the step is too large for the curvature. The detector is active when r >= {@code min_ratio}
 * (default 1.1) and, if {@code require_loss_rising} (default true), the mean loss of the newer
 * half of the last {@code loss_window} (40) iterations exceeds the older half's by more than
 * {@code rise_tolerance} (1%). An info rule uses {@code min_ratio: 0.9} and no loss condition.
 * Delay: the first curvature event after onset (and after the loss window has seen the rise).
 */
public final class EdgeOfStabilityDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "edge_of_stability",
          "learning rate times sharpness against the optimizer's stability threshold",
          Arrays.asList(
              ParamSpec.number("min_ratio", 1.1, 0, "sharpness/threshold ratio that counts"),
              ParamSpec.bool("require_loss_rising", true, "also require the loss to rise"),
              ParamSpec.integer("loss_window", 40, 4, "iterations compared, half against half"),
              ParamSpec.number("rise_tolerance", 0.01, 0, "relative rise that counts as rising"),
              ParamSpec.number("momentum", 0.9, 0, "momentum of Nesterovs/momentum SGD"),
              ParamSpec.number("beta1", 0.9, 0, "Adam's beta1"),
              ParamSpec.text("updater", "", "overrides the updater named in job_started")),
          EdgeOfStabilityDetector::new);

  private enum Family {
    SGD,
    MOMENTUM,
    ADAM,
    RMSPROP,
    UNKNOWN
  }

  private final double minRatio;
  private final boolean requireRising;
  private final double riseTolerance;
  private final double momentum;
  private final double beta1;
  private final String updaterOverride;
  private final DoubleRing losses;
  private Family family;
  private double eta = Double.NaN;
  private Finding last = Finding.none();

  EdgeOfStabilityDetector(Params p) {
    this.minRatio = p.number("min_ratio");
    this.requireRising = p.bool("require_loss_rising");
    this.riseTolerance = p.number("rise_tolerance");
    this.momentum = p.number("momentum");
    this.beta1 = p.number("beta1");
    if (beta1 >= 1) {
      throw new IllegalArgumentException("beta1 must be < 1, got " + beta1);
    }
    this.updaterOverride = p.text("updater");
    this.losses = new DoubleRing(p.size("loss_window") & ~1);
    this.family = updaterOverride.isEmpty() ? Family.UNKNOWN : familyOf(updaterOverride);
  }

  private static Family familyOf(String updater) {
    switch (updater.toLowerCase(Locale.ROOT)) {
      case "sgd":
        return Family.SGD;
      case "nesterovs":
      case "momentum":
        return Family.MOMENTUM;
      case "adam":
      case "adamw":
      case "nadam":
      case "amsgrad":
      case "adamax":
        return Family.ADAM;
      case "rmsprop":
      case "adagrad":
        return Family.RMSPROP;
      default:
        return Family.UNKNOWN;
    }
  }

  @Override
  public boolean ignores(EventType type) {
    return type != EventType.ITERATION && type != EventType.CURVATURE
        && type != EventType.JOB_STARTED;
  }

  @Override
  public Finding onEvent(Event event) {
    switch (event.type()) {
      case JOB_STARTED:
        JobStarted s = (JobStarted) event;
        if (updaterOverride.isEmpty()) {
          family = familyOf(s.updater());
        }
        if (Double.isNaN(eta)) {
          eta = s.learningRate();
        }
        return last;
      case ITERATION:
        Iteration it = (Iteration) event;
        if (Double.isFinite(it.learningRate())) {
          eta = it.learningRate();
        }
        if (Double.isFinite(it.loss())) {
          losses.add(it.loss());
        }
        return last;
      case CURVATURE:
        return evaluate((Curvature) event);
      default:
        return last;
    }
  }

  private Finding evaluate(Curvature c) {
    double sharpness;
    double threshold;
    switch (family) {
      case SGD:
        sharpness = c.lambdaMax();
        threshold = 2 / eta;
        break;
      case MOMENTUM:
        sharpness = c.lambdaMax();
        threshold = 2 * (1 + momentum) / eta;
        break;
      case ADAM:
        sharpness = c.preconditionedMax();
        threshold = (2 + 2 * beta1) / ((1 - beta1) * eta);
        break;
      case RMSPROP:
        sharpness = c.preconditionedMax();
        threshold = 2 / eta;
        break;
      default:
        return last;
    }
    double r = sharpness / threshold;
    if (!Double.isFinite(r)) {
      return last;
    }
    boolean rising = false;
    if (requireRising) {
      if (!losses.full()) {
        last = Finding.clear();
        return last;
      }
      int h = losses.size() / 2;
      double older = losses.mean(0, h);
      double newer = losses.mean(h, losses.size());
      rising = newer > older + riseTolerance * Math.abs(older);
    }
    if (r >= minRatio && (rising || !requireRising)) {
      last =
          Finding.active(
              r,
              String.format(Locale.ROOT,
                  "sharpness %.3g is %.2fx the %s stability threshold %.3g (eta=%.3g) at"
                      + " iteration %d%s",
                  sharpness, r, family.name().toLowerCase(Locale.ROOT), threshold, eta, c.iter(),
                  rising ? ", and the loss is rising" : ""));
    } else {
      last = Finding.clear(r);
    }
    return last;
  }
}
