package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CurvatureDetectorsTest {
  private final Synthetic s = new Synthetic("j", 13);

  /** Healthy until 500; then flat loss, gradient down to 2%, lambda_min -1 against lambda_max 5. */
  private List<Event> saddleRun(double lambdaMinAfter) {
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 100_000));
    for (int t = 1; t <= 1200; t++) {
      boolean stuck = t > 500;
      double loss = stuck ? 0.6 * s.noise(0.01) : Synthetic.healthyLoss(t) * s.noise(0.02);
      events.add(s.iteration(t, loss, stuck ? 0.02 : 1, List.of()));
      if (t % 50 == 0) {
        events.add(s.curvature(t, 5, stuck ? lambdaMinAfter : -0.001, Double.NaN));
      }
    }
    return events;
  }

  @Test
  void saddleFiresOnPlateauSmallGradientAndNegativeCurvature() {
    long at = Runs.firstActive(Runs.detector("saddle", Map.of()), saddleRun(-1));
    assertTrue(at > 500 && at <= 750, "fired at " + at + ", delay <= window + curvature period");
  }

  @Test
  void saddleFiresOnAGradientThatWasZeroFromTheStart() {
    // The zoo's saddle: a linear net at w = 0, gradient exactly 0 at every step, loss constant.
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 97));
    for (int t = 1; t <= 300; t++) {
      events.add(s.iteration(t, 6.0, 0.0, List.of()));
      if (t % 50 == 0) {
        events.add(s.curvature(t, 7.7, -7.7, Double.NaN));
      }
    }
    long at = Runs.firstActive(Runs.detector("saddle", Map.of()), events);
    assertTrue(at >= 200 && at <= 250, "fired at " + at + ": window 200, next curvature sample");
  }

  @Test
  void saddleWithAMinimumShareOfTheStartLeavesAnEscapedRunAlone() {
    // Escaped at 50 and converged to 1e-12, then flat; the last curvature sample (taken at the
    // saddle) still says lambda_min < 0, as a stale sample does when later estimates are skipped.
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 97));
    for (int t = 1; t <= 600; t++) {
      double grad = t < 50 ? 0.0 : t < 60 ? 10.0 : 1e-9; // the escape is a burst, then quiet
      events.add(s.iteration(t, t < 50 ? 6.0 : 1e-12, grad, List.of()));
      if (t == 40) {
        events.add(s.curvature(t, 7.7, -7.7, Double.NaN));
      }
    }
    assertTrue(Runs.firstActive(Runs.detector("saddle", Map.of("window", 100L)), events) > 0,
        "without the share, the converged run looks like a saddle");
    assertEquals(-1, Runs.firstActive(
        Runs.detector("saddle", Map.of("window", 100L, "min_share_of_start", 0.1)), events));
  }

  @Test
  void saddleIgnoresNegativeCurvatureWithinTheNoiseFloor() {
    // -0.04 is under 1% of lambda_max 5: indistinguishable from estimation noise.
    assertEquals(-1, Runs.firstActive(Runs.detector("saddle", Map.of()), saddleRun(-0.04)));
  }

  private List<Event> sharpRun(String updater, double ratio, boolean lossRises) {
    List<Event> events = new ArrayList<>();
    events.add(s.started(updater, 100_000));
    for (int t = 1; t <= 600; t++) {
      double loss = lossRises && t > 300 ? 0.5 * (1 + (t - 300) / 100.0) : Synthetic.healthyLoss(t);
      events.add(s.iteration(t, loss * s.noise(0.01), 1, List.of()));
      if (t % 25 == 0) {
        double r = t > 300 ? ratio : 0.5;
        // Threshold: 2/eta for SGD, 38/eta for Adam (beta1 0.9) on the preconditioned sharpness.
        events.add(s.curvature(t, r * 2 / Synthetic.LR, -0.001, r * 38 / Synthetic.LR));
      }
    }
    return events;
  }

  @Test
  void beyondStabilityFiresWhenSharpnessExceedsTwoOverEtaAndTheLossRises() {
    Detector d = Runs.detector("edge_of_stability", Map.of());
    long at = Runs.firstActive(d, sharpRun("Sgd", 1.5, true));
    assertTrue(at > 300 && at <= 350, "fired at " + at);
  }

  @Test
  void beyondStabilityUsesThePreconditionedThresholdForAdam() {
    long at = Runs.firstActive(Runs.detector("edge_of_stability", Map.of()),
        sharpRun("Adam", 1.5, true));
    assertTrue(at > 300 && at <= 350, "fired at " + at);
  }

  @Test
  void momentumRaisesTheThreshold() {
    // 1.5 x (2/eta) is below 2(1+0.9)/eta = 3.8/eta: stable for Nesterov momentum.
    assertEquals(-1, Runs.firstActive(Runs.detector("edge_of_stability", Map.of()),
        sharpRun("Nesterovs", 1.5, true)));
  }

  @Test
  void sharpnessAtTheThresholdWithAFallingLossIsSilentUnlessAskedForInformation() {
    List<Event> eos = sharpRun("Sgd", 1.0, false);
    assertEquals(-1, Runs.firstActive(Runs.detector("edge_of_stability", Map.of()), eos));
    Detector info = Runs.detector("edge_of_stability",
        Map.of("min_ratio", 0.9, "require_loss_rising", false));
    assertEquals(325, Runs.firstActive(info, eos));
  }
}
