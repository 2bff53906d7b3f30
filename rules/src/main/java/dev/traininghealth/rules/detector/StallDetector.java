package dev.traininghealth.rules.detector;

import dev.traininghealth.rules.event.Event;
import java.util.Arrays;

/**
 * The job is alive but not training: no {@code iteration} for {@code timeout} (default 5m) while
 * heartbeats still arrive (one within the last {@code timeout}). Answers on ticks; an iteration
 * clears it, and a finished job never stalls. Times are the events' {@code ts} against the
 * evaluator's clock, so they assume agent and daemon clocks agree to well under the timeout.
 * Delay: the first tick at or after {@code timeout} past the last iteration (or the job start).
 */
public final class StallDetector implements Detector {
  static final DetectorSpec SPEC =
      DetectorSpec.of(
          "stall",
          "no iteration for a while although heartbeats arrive",
          Arrays.asList(ParamSpec.duration("timeout", "5m", "time without an iteration")),
          StallDetector::new);

  private final long timeoutMs;
  private long lastProgressTs = Long.MIN_VALUE;
  private long lastBeatTs = Long.MIN_VALUE;
  private boolean finished;
  private boolean active;

  StallDetector(Params p) {
    this.timeoutMs = p.millis("timeout");
  }

  @Override
  public Finding onEvent(Event event) {
    long ts = event.header().ts();
    switch (event.type()) {
      case JOB_STARTED:
        lastProgressTs = Math.max(lastProgressTs, ts);
        finished = false;
        return Finding.none();
      case ITERATION:
        lastProgressTs = Math.max(lastProgressTs, ts);
        if (active) {
          active = false;
          return Finding.clear();
        }
        return Finding.none();
      case HEARTBEAT:
        lastBeatTs = Math.max(lastBeatTs, ts);
        if (lastProgressTs == Long.MIN_VALUE) {
          lastProgressTs = ts;
        }
        return Finding.none();
      case JOB_FINISHED:
        finished = true;
        active = false;
        return Finding.clear();
      default:
        return Finding.none();
    }
  }

  @Override
  public Finding onTick(long nowMs) {
    if (finished || lastBeatTs == Long.MIN_VALUE) {
      return Finding.none();
    }
    long idle = nowMs - lastProgressTs;
    boolean beating = nowMs - lastBeatTs < timeoutMs;
    if (idle >= timeoutMs && beating) {
      active = true;
      return Finding.active(idle / 1000.0,
          "no iteration for " + idle / 1000 + " s while heartbeats arrive");
    }
    if (active) {
      active = false;
      return Finding.clear();
    }
    return Finding.none();
  }
}
