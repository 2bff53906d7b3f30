package dev.traininghealth.rules.event;

import java.util.Objects;

/**
 * The job is alive. Sent on a timer, also while no iteration runs (data loading, evaluation,
 * checkpointing), so the daemon can tell a stalled job from a dead one.
 */
public final class Heartbeat extends Event {
  private final String phase;
  private final long dropped;
  private final String message;

  private Heartbeat(Header header, String phase, long dropped, String message) {
    super(header);
    this.phase = Objects.requireNonNull(phase, "phase");
    this.dropped = dropped;
    this.message = message == null ? "" : message;
  }

  /** A heartbeat with no message. */
  public static Heartbeat of(Header header, String phase, long dropped) {
    return new Heartbeat(header, phase, dropped, "");
  }

  /**
   * @param phase {@code training} while iterations run, {@code idle} when they do not,
   *     {@code degraded} when a probe was turned off
   * @param dropped events dropped so far in this run
   * @param message what the agent wants a person to know, e.g. why a probe was turned off;
   *     empty when nothing
   */
  public static Heartbeat of(Header header, String phase, long dropped, String message) {
    return new Heartbeat(header, phase, dropped, message);
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

  public String message() {
    return message;
  }
}
