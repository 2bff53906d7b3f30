package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventType;

/**
 * Watches the event stream of one job. Instances hold per-job state and are not thread-safe:
 * the daemon gives each job its own and feeds it from one thread.
 */
public interface Detector {
  /**
   * Takes one event of the job and says whether the condition holds now. Events of types the
   * detector does not use return {@link Finding#none()} or the last finding, at the detector's
   * choice, but never throw.
   */
  Finding onEvent(Event event);

  /**
   * Whether events of {@code type} are nothing to this detector: {@link #onEvent} changes no
   * state for them and returns the same finding it returned for the previous event
   * ({@link Finding#none()} before the first). The evaluator then skips the call and reuses that
   * finding, which is the same to the alert. Default: no type is ignored.
   */
  default boolean ignores(EventType type) {
    return false;
  }

  /**
   * Time passed without events; detectors of silence (stall, lost heartbeat) answer here, the
   * others return their last finding or {@link Finding#none()}.
   *
   * @param nowMs the evaluation clock, epoch milliseconds
   */
  default Finding onTick(long nowMs) {
    return Finding.none();
  }
}
