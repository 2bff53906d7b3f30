package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import java.util.List;
import java.util.Map;

/** Feeds streams to one detector and says when it first became active. */
final class Runs {
  private Runs() {}

  static Detector detector(String name, Map<String, ?> params) {
    return DetectorCatalog.create(name, params);
  }

  /** Iteration of the first active finding, or -1 if it never was. */
  static long firstActive(Detector d, List<? extends Event> events) {
    for (Event e : events) {
      if (d.onEvent(e).active()) {
        return e.iter();
      }
    }
    return -1;
  }
}
