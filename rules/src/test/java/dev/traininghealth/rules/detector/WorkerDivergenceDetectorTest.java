package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WorkerDivergenceDetectorTest {
  private final Random random = new Random(5);
  private final Map<String, Long> seqs = new java.util.HashMap<>();

  private Iteration iteration(String worker, long iter, double gradNorm) {
    long seq = seqs.merge(worker == null ? "" : worker, 1L, Long::sum);
    Header h = Header.of("dp", "run-" + worker, seq, 1_000 + iter, iter, 0, worker);
    return Iteration.builder(h).loss(0.5).gradNorm(gradNorm).build();
  }

  /** Four workers, interleaved as they arrive; worker w2's norms scale by {@code w2Scale(iter)}. */
  private List<Event> run(int iterations, java.util.function.LongToDoubleFunction w2Scale) {
    List<Event> out = new ArrayList<>();
    for (long t = 1; t <= iterations; t++) {
      for (String w : new String[] {"w0", "w1", "w2", "w3"}) {
        double g = 1.0 * Math.exp(0.2 * random.nextGaussian());
        out.add(iteration(w, t, w.equals("w2") ? g * w2Scale.applyAsDouble(t) : g));
      }
    }
    return out;
  }

  @Test
  void flagsAWorkerWhoseGradientsLeaveTheOthersWithinItsWindow() {
    Detector d = Runs.detector("worker_divergence", Map.of());
    long at = Runs.firstActive(d, run(200, t -> t > 100 ? 30 : 1));
    assertTrue(at > 100 && at <= 100 + 20, "fired at " + at);
    Finding f = d.onEvent(iteration("w2", 201, 30));
    assertTrue(f.active() && f.evidence().contains("worker 'w2'"), f.evidence());
  }

  @Test
  void staysSilentWhileWorkersAgreeWithinNoise() {
    assertEquals(-1, Runs.firstActive(Runs.detector("worker_divergence", Map.of()),
        run(300, t -> 1)));
  }

  @Test
  void aSingleProcessJobGetsNoVerdict() {
    Detector d = Runs.detector("worker_divergence", Map.of());
    for (long t = 1; t <= 100; t++) {
      assertTrue(d.onEvent(iteration(null, t, t % 2 == 0 ? 1 : 100)).isNone());
    }
  }

  @Test
  void aWorkerThatLeftIsNotComparedForever() {
    Detector d = Runs.detector("worker_divergence", Map.of("max_lag", 10));
    List<Event> events = new ArrayList<>();
    for (long t = 1; t <= 30; t++) {
      events.add(iteration("a", t, 1));
      events.add(iteration("gone", t, 1));
    }
    // "gone" stops reporting; "b" joins with gradients 50x "gone"'s last ones but like "a"'s.
    for (long t = 31; t <= 100; t++) {
      events.add(iteration("a", t, 50));
      events.add(iteration("b", t, 50));
    }
    long at = Runs.firstActive(d, events);
    // While "gone"'s window is within max_lag it is compared (and differs); after that, silence.
    assertTrue(at > 30 && at <= 41, "fired at " + at);
    Finding last = Finding.none();
    for (long t = 101; t <= 110; t++) {
      last = d.onEvent(iteration("a", t, 50));
    }
    assertTrue(!last.active(), last.evidence());
  }
}
