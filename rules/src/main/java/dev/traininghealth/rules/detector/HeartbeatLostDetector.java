package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;
import java.util.Arrays;

/**
 * The job went silent: no event of any kind for {@code timeout} (default 2m, several heartbeat
 * periods so one late heartbeat is not an alert). Answers on ticks; any event clears it, a
 * finished job is never lost. Delay: the first tick at or after {@code timeout} of silence.
 */
public final class HeartbeatLostDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "heartbeat_lost",
          "no event at all for a while",
          Arrays.asList(ParamSpec.duration("timeout", "2m", "time without any event")),
          HeartbeatLostDetector::new);

  private final long timeoutMs;
  private long lastTs = Long.MIN_VALUE;
  private boolean finished;
  private boolean active;

  HeartbeatLostDetector(Params p) {
    this.timeoutMs = p.millis("timeout");
  }

  @Override
  public Finding onEvent(Event event) {
    lastTs = Math.max(lastTs, event.header().ts());
    finished = event.type() == EventType.JOB_FINISHED;
    if (active || finished) {
      active = false;
      return Finding.clear();
    }
    return Finding.none();
  }

  @Override
  public Finding onTick(long nowMs) {
    if (finished || lastTs == Long.MIN_VALUE) {
      return Finding.none();
    }
    long silent = nowMs - lastTs;
    if (silent >= timeoutMs) {
      active = true;
      return Finding.active(silent / 1000.0, "no event for " + silent / 1000 + " s");
    }
    return Finding.none();
  }
}
