package dev.traininghealth.rules.event;

import java.util.Locale;

/** The {@code type} field of an event, as it is spelled on the wire. */
public enum EventType {
  JOB_STARTED,
  ITERATION,
  CURVATURE,
  NONFINITE,
  PLATEAU,
  ACTIVATIONS,
  HEARTBEAT,
  ACTION_RESULT,
  JOB_FINISHED;

  private static final EventType[] ALL = values();

  private final String wire = name().toLowerCase(Locale.ROOT);

  /** The name used in JSON, e.g. {@code job_started}. */
  public String wireName() {
    return wire;
  }

  /** Looks a wire name up; {@code null} when there is no such type. */
  public static EventType fromWire(String name) {
    for (EventType t : ALL) { // values() would copy its array for every record
      if (t.wire.equals(name)) {
        return t;
      }
    }
    return null;
  }
}
