package dev.traininghealth.rules.event;

import java.util.Objects;

/**
 * The job is alive. Sent on a timer, also while no iteration runs (data loading, evaluation,
 * checkpointing), so the daemon can tell a stalled job from a dead one.
 */
public final class Heartbeat extends Event {
  private final String phase;
  private final long dropped;

  private Heartbeat(Header header, String phase, long dropped) {
    super(header);
    this.phase = Objects.requireNonNull(phase, "phase");
    this.dropped = dropped;
  }

  /**
   * @param phase {@code training} while iterations run, else what the job does, e.g. {@code idle}
   * @param dropped events dropped so far in this run
   */
  public static Heartbeat of(Header header, String phase, long dropped) {
    return new Heartbeat(header, phase, dropped);
  }

  @Override
  public EventType type() {
    return EventType.HEARTBEAT;
  }

  public String phase() {
    return phase;
  }

  public long dropped() {
    return dropped;
  }
}
