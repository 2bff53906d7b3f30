package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientDetectorsTest {
  private final Synthetic s = new Synthetic("j", 7);

  @Test
  void explodingFiresWithinConsecutiveIterationsOfAnEvenBlowUp() {
    // Every layer grows alike, so the layer ratio stays flat: only the median test can see it.
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 400; t++) {
      double g = (t <= 300 ? 1 : 30) * s.noise(0.1);
      events.add(s.iteration(t, 1.0, g, Synthetic.layers(g / 2, g / 2, g / 2, 1e-3)));
    }
    long at = Runs.firstActive(Runs.detector("exploding_gradients", Map.of()), events);
    assertEquals(303, at, "onset 301 + 3 consecutive - 1");
  }

  @Test
  void explodingFiresOnTheAutotrainerLayerRatio() {
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 100; t++) {
      double first = t <= 50 ? 1 : 100;
      events.add(s.iteration(t, 1.0, 1.0, Synthetic.layers(first, 1, 1, 1e-3)));
    }
    assertEquals(53, Runs.firstActive(Runs.detector("exploding_gradients", Map.of()), events));
  }

  @Test
  void explodingFiresOnTheAbsoluteBound() {
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 10; t++) {
      events.add(s.iteration(t, 1.0, t <= 5 ? 1 : 50, List.of()));
    }
    Detector d = Runs.detector("exploding_gradients", Map.of("max_norm", 10.0, "consecutive", 2L));
    assertEquals(7, Runs.firstActive(d, events));
  }

  @Test
  void explodingUnlessLossFallsIgnoresLargeGradientsOnAFallingLoss() {
    // A steep descent: gradients above the bound while the loss falls tenfold a step; then the
    // loss turns and climbs with the gradients still large, which is a blow-up.
    List<Event> events = new ArrayList<>();
    double loss = 100;
    for (int t = 1; t <= 20; t++) {
      loss = t <= 5 ? 100 : t <= 12 ? loss / 10 : loss * 100;
      events.add(s.iteration(t, loss, t <= 5 ? 1 : 50, List.of()));
    }
    Map<String, Object> p = Map.of("max_norm", 10.0, "consecutive", 2L);
    assertEquals(7, Runs.firstActive(Runs.detector("exploding_gradients", p), events),
        "without the option the descent fires");
    Map<String, Object> q = new java.util.HashMap<>(p);
    q.put("unless_loss_falls", true);
    // The run began at 6, after a loss of 100; the loss is below that until it climbs from
    // 1e-5 (12) by 100x a step to 1000 at 16.
    assertEquals(16, Runs.firstActive(Runs.detector("exploding_gradients", q), events));
    List<Event> nan = new ArrayList<>();
    for (int t = 1; t <= 10; t++) {
      nan.add(s.iteration(t, t <= 5 ? 1.0 : Double.NaN, t <= 5 ? 1 : 50, List.of()));
    }
    assertEquals(7, Runs.firstActive(Runs.detector("exploding_gradients", q), nan),
        "a loss gone NaN is not falling");
  }

  @Test
  void explodingStaysSilentOnAGradientThatIsExactlyZero() {
    // The zoo's saddle: w = 0, the gradient is 0 at every step, so its median is 0 too.
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 300; t++) {
      events.add(s.iteration(t, 6.0, 0.0, List.of()));
    }
    assertEquals(-1, Runs.firstActive(Runs.detector("exploding_gradients", Map.of()), events));
  }

  @Test
  void explodingIgnoresASingleLargeStep() {
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= 300; t++) {
      events.add(s.iteration(t, 1.0, t == 200 ? 100 : 1, List.of()));
    }
    assertEquals(-1, Runs.firstActive(Runs.detector("exploding_gradients", Map.of()), events));
  }

  @Test
  void vanishingFiresOnceTheLossIsFlatAndTheFirstLayerStarves() {
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 100_000));
    for (int t = 1; t <= 1000; t++) {
      boolean vanished = t > 400;
      double loss = vanished ? 0.9 * s.noise(0.02) : Synthetic.healthyLoss(t) * s.noise(0.02);
      List<dev.traininghealth.rules.event.LayerStats> layers =
          vanished ? Synthetic.layers(1e-6, 1e-4, 0.1, 1e-3) : Synthetic.layers(0.5, 0.5, 0.5, 1e-3);
      events.add(s.iteration(t, loss, 1, layers));
    }
    long at = Runs.firstActive(Runs.detector("vanishing_gradients", Map.of()), events);
    assertTrue(at > 400 && at <= 600, "fired at " + at + ", documented delay <= window (200)");
  }

  @Test
  void vanishingUsesTheGradientRmsAgainstSageMakersBound() {
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 1_000_000));
    for (int t = 1; t <= 600; t++) {
      // RMS = 1e-5 / sqrt(1e6) = 1e-8 < 1e-7, on a flat loss, no per-layer data.
      events.add(s.iteration(t, 0.5 * s.noise(0.01), 1e-5, List.of()));
    }
    long at = Runs.firstActive(Runs.detector("vanishing_gradients", Map.of()), events);
    assertEquals(200, at, "as soon as the plateau window has filled");
  }

  @Test
  void vanishingStaysSilentWhileTheLossFalls() {
    List<Event> events = new ArrayList<>();
    events.add(s.started("Sgd", 100_000));
    for (int t = 1; t <= 1000; t++) {
      events.add(s.iteration(t, Synthetic.healthyLoss(t) * s.noise(0.02), 1,
          Synthetic.layers(1e-6, 1e-4, 0.1, 1e-3)));
    }
    assertEquals(-1, Runs.firstActive(Runs.detector("vanishing_gradients", Map.of()), events));
  }

  @Test
  void updateRatioFiresOutsideTheBandAndSkipsBiases() {
    Detector d = Runs.detector("update_ratio", Map.of());
    assertTrue(d.onEvent(s.iteration(1, 1, 1, Synthetic.layers(1, 1, 1, 1e-3))).isNone() == false);
    assertTrue(!d.onEvent(s.iteration(2, 1, 1, Synthetic.layers(1, 1, 1, 1e-3))).active());
    assertTrue(d.onEvent(s.iteration(3, 1, 1, Synthetic.layers(1, 1, 1, 0.5))).active());
    assertTrue(d.onEvent(s.iteration(4, 1, 1, Synthetic.layers(1, 1, 1, 1e-7))).active());
    List<dev.traininghealth.rules.event.LayerStats> onlyBiasBad = new ArrayList<>();
    onlyBiasBad.add(dev.traininghealth.rules.event.LayerStats.of("0", "W", 1, 10, 0.01));
    onlyBiasBad.add(dev.traininghealth.rules.event.LayerStats.of("0", "b", 1, 0.1, 1));
    assertTrue(!d.onEvent(s.iteration(5, 1, 1, onlyBiasBad)).active());
  }
}
