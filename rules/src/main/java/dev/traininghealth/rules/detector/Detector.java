package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;

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
   * Time passed without events; detectors of silence (stall, lost heartbeat) answer here, the
   * others return their last finding or {@link Finding#none()}.
   *
   * @param nowMs the evaluation clock, epoch milliseconds
   */
  default Finding onTick(long nowMs) {
    return Finding.none();
  }
}
