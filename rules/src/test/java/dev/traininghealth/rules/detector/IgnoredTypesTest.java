package dev.traininghealth.rules.detector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.rules.MixedStream;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Detector#ignores}: the evaluator skips a detector on the event types it ignores and
 * reuses its previous answer, so for every built-in detector that must make no difference. Two
 * copies of each detector see a stream of every event type, with plateaus, spikes, NaN losses,
 * negative curvature and dead layers in it; one is asked about every event, the other only about
 * the types it does not ignore, and they must answer alike throughout.
 */
class IgnoredTypesTest {
  @Test
  void skippingTheIgnoredTypesChangesNoDetectorsAnswers() {
    List<Event> events = MixedStream.events(5);
    for (DetectorSpec spec : DetectorCatalog.all()) {
      Detector asked = spec.create(Map.of());
      Detector skipped = spec.create(Map.of());
      Finding previousAsked = Finding.none();
      Finding previous = Finding.none();
      int active = 0;
      for (Event e : events) {
        Finding expected = asked.onEvent(e);
        Finding actual;
        if (skipped.ignores(e.type())) {
          actual = previous;
          assertSame(previousAsked, expected,
              spec.name() + " repeats its previous answer on " + e.type());
        } else {
          actual = skipped.onEvent(e);
        }
        assertEquals(expected.toString() + expected.evidence(),
            actual.toString() + actual.evidence(), spec.name() + " at " + e);
        active += expected.active() ? 1 : 0;
        previousAsked = expected;
        previous = actual;
      }
      // Silence detectors answer on ticks; every other one must have had something to find.
      assertTrue(active > 0 || spec.name().matches("stall|heartbeat_lost"),
          spec.name() + " fired somewhere in the stream");
    }
  }

  @Test
  void detectorsOfIterationsIgnoreOtherTypesAndSilenceDetectorsNone() {
    Detector spike = DetectorCatalog.create("loss_spike", Map.of());
    Detector stall = DetectorCatalog.create("stall", Map.of());
    for (EventType t : EventType.values()) {
      assertEquals(t != EventType.ITERATION, spike.ignores(t), t.toString());
      assertEquals(false, stall.ignores(t), t.toString());
    }
  }
}
