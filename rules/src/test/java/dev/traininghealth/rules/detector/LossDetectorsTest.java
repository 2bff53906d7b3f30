package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LossDetectorsTest {
  private final Synthetic s = new Synthetic("j", 11);

  private List<Event> losses(int n, java.util.function.LongToDoubleFunction loss) {
    List<Event> events = new ArrayList<>();
    for (int t = 1; t <= n; t++) {
      events.add(s.iteration(t, loss.applyAsDouble(t), 1, List.of()));
    }
    return events;
  }

  @Test
  void plateauFiresWithinOneWindowOfTheLossFlattening() {
    // Falls until 1000, then flat with autocorrelated noise (AR(1), phi 0.9): the block means
    // keep that noise from looking like a trend.
    double[] ar = {0};
    List<Event> events =
        losses(2000, t -> {
          ar[0] = 0.9 * ar[0] + 0.02 * new java.util.Random(t).nextGaussian();
          return (t <= 1000 ? Synthetic.healthyLoss(t) : Synthetic.healthyLoss(1000)) * Math.exp(ar[0]);
        });
    long at = Runs.firstActive(Runs.detector("plateau", Map.of()), events);
    assertTrue(at > 1000 && at <= 1200, "fired at " + at + ", documented delay <= window 200");
  }

  @Test
  void plateauWithAMinimumShareOfTheStartTellsStuckFromConverged() {
    // Converged: from 2.3 down to 0.01 (0.4% of the start), then flat.
    List<Event> converged =
        losses(1500, t -> Math.max(0.01, 2.3 * Math.exp(-t / 60.0)) * s.noise(0.001));
    Map<String, Object> share = Map.of("window", 100L, "min_share_of_start", 0.1);
    assertTrue(Runs.firstActive(Runs.detector("plateau", Map.of("window", 100L)), converged) > 0,
        "without the share, convergence is a plateau");
    assertEquals(-1, Runs.firstActive(Runs.detector("plateau", share), converged));
    // Stuck: from 2.5 down to 0.56 (22% of the start, the zoo's bad local minimum), then flat.
    List<Event> stuck =
        losses(1500, t -> Math.max(0.56, 2.5 * Math.exp(-t / 60.0)) * s.noise(0.001));
    assertTrue(Runs.firstActive(Runs.detector("plateau", share), stuck) > 0);
  }

  @Test
  void plateauWithAMaximumShareOfTheStartWaitsForASecondPlateau() {
    // XOR's shape: flat at 0.25 (the start) until 200, down to 0.167 (67%) by 260, then flat.
    List<Event> xor =
        losses(500, t -> (t < 200 ? 0.25 : Math.max(0.167, 0.25 - (t - 200) * 0.0014))
            * s.noise(0.001));
    Map<String, Object> second =
        Map.of("window", 60L, "min_share_of_start", 0.25, "max_share_of_start", 0.8);
    assertTrue(Runs.firstActive(Runs.detector("plateau", Map.of("window", 60L)), xor) < 100,
        "without the maximum share the first plateau counts");
    long at = Runs.firstActive(Runs.detector("plateau", second), xor);
    assertTrue(at > 260 && at <= 330, "fired at " + at + ", within a window of the second plateau");
  }

  @Test
  void plateauRejectsAMaximumShareNotAboveTheMinimum() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> Runs.detector("plateau", Map.of("min_share_of_start", 0.5, "max_share_of_start", 0.4)));
    assertTrue(e.getMessage().contains("max_share_of_start (0.4) must be above min_share_of_start"),
        e.getMessage());
  }

  @Test
  void plateauStaysSilentWhileTheLossFalls() {
    List<Event> events = losses(3000, t -> Synthetic.healthyLoss(t) * s.noise(0.02));
    assertEquals(-1, Runs.firstActive(Runs.detector("plateau", Map.of()), events));
  }

  @Test
  void oscillationFiresOnAPeriodTwoBounce() {
    List<Event> events =
        losses(400, t -> t <= 200 ? Synthetic.healthyLoss(t) * s.noise(0.02)
            : (t % 2 == 0 ? 1.5 : 1.0));
    long at = Runs.firstActive(Runs.detector("oscillation", Map.of()), events);
    // 0.35 * 50 = 18 rises needed, one every 2 steps: about 35 iterations.
    assertTrue(at > 200 && at <= 240, "fired at " + at);
  }

  @Test
  void oscillationStaysSilentOnMinibatchNoise() {
    List<Event> events = losses(3000, t -> Synthetic.healthyLoss(t) * s.noise(0.05));
    assertEquals(-1, Runs.firstActive(Runs.detector("oscillation", Map.of()), events));
  }

  @Test
  void lossSpikeFiresOnTheSpikingIterationOnly() {
    List<Event> events = losses(300, t -> t == 250 ? 5 : 0.5 * s.noise(0.02));
    Detector d = Runs.detector("loss_spike", Map.of());
    assertEquals(250, Runs.firstActive(d, events.subList(0, 260)));
    assertTrue(!d.onEvent(events.get(260)).active(), "clears when the loss is back");
  }

  @Test
  void lossSpikeStaysSilentOnAHealthyRun() {
    List<Event> events = new Synthetic("h", 3).healthyRun(3000);
    assertEquals(-1, Runs.firstActive(Runs.detector("loss_spike", Map.of()), events));
  }

  @Test
  void nonFiniteFiresOnANanLossAndClearsOnAFiniteOne() {
    Detector d = Runs.detector("nonfinite", Map.of());
    assertTrue(!d.onEvent(s.iteration(1, 1, 1, List.of())).active());
    assertTrue(d.onEvent(s.iteration(2, Double.NaN, 1, List.of())).active());
    assertTrue(!d.onEvent(s.iteration(3, 1, 1, List.of())).active());
  }
}
