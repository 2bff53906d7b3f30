package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.Synthetic;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.rule.AlertChange;
import dev.traininghealth.rules.rule.JobEvaluator;
import dev.traininghealth.rules.rule.RuleSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlateauHysteresisTest {
  private static int flips(Detector d, List<Event> events) {
    int flips = 0;
    boolean on = false;
    for (Event e : events) {
      Finding f = d.onEvent(e);
      if (!f.isNone() && f.active() != on) {
        on = f.active();
        flips++;
      }
    }
    return flips;
  }

  @Test
  void plateauAlertDoesNotFlapAsTheLossConverges() {
    // RuleBench's run: without hysteresis the verdict flipped 575 times and the alert changed
    // state 421 times in these 50,000 iterations.
    List<Event> events = new Synthetic("bench", 1).healthyRun(50_000);
    JobEvaluator ev = new JobEvaluator("bench", RuleSet.defaults());
    int changes = 0;
    for (Event e : events) {
      for (AlertChange c : ev.onEvent(e)) {
        if (c.alert().rule().equals("plateau")) {
          changes++;
        }
      }
    }
    assertTrue(changes <= 40, "plateau alert changed state " + changes + " times");
  }

  @Test
  void theLeaveThresholdsAreWhatStopsTheFlapping() {
    List<Event> events = new Synthetic("bench", 1).healthyRun(50_000);
    int without = flips(Runs.detector("plateau",
        Map.of("leave_z", 1.645, "leave_relative_improvement", 1e-3)), events);
    int with = flips(Runs.detector("plateau", Map.of()), events);
    assertTrue(without > 10 * with, "flips without " + without + ", with " + with);
  }

  @Test
  void leavesThePlateauWhenTheLossFallsClearlyAgain() {
    Synthetic s = new Synthetic("j", 3);
    Random r = new Random(3);
    Detector d = Runs.detector("plateau", Map.of());
    boolean wasFlat = false;
    boolean flatAtEnd = true;
    for (int t = 1; t <= 1600; t++) {
      // Flat at 0.69 (XOR's plateau) until 1000, then the escape: the loss halves every 100.
      double loss = (t <= 1000 ? 0.69 : 0.69 * Math.pow(0.5, (t - 1000) / 100.0))
          * Math.exp(0.02 * r.nextGaussian());
      Finding f = d.onEvent(s.iteration(t, loss, 1, List.of()));
      if (t == 1000) {
        wasFlat = f.active();
      }
      flatAtEnd = f.active();
    }
    assertTrue(wasFlat, "flat before the escape");
    assertFalse(flatAtEnd, "left the plateau after the escape");
  }

  @Test
  void rejectsLeaveThresholdsLooserThanTheEntry() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Runs.detector("plateau", Map.of("z", 3.0, "leave_z", 2.0)));
    assertTrue(e.getMessage().contains("leave_z"), e.getMessage());
  }
}
