package dev.traininghealth.rules.event;

import java.util.Objects;

/** A run ended; {@code outcome} says how and {@code dropped} how many events never left. */
public final class JobFinished extends Event {
  private final String outcome;
  private final String message;
  private final long dropped;

  private JobFinished(Header header, String outcome, String message, long dropped) {
    super(header);
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.message = message == null ? "" : message;
    this.dropped = dropped;
  }

  /**
   * @param outcome {@code completed}, {@code failed} or {@code stopped}
   * @param message the exception or reason, empty when it completed
   * @param dropped events the agent could not send during the run
   */
  public static JobFinished of(Header header, String outcome, String message, long dropped) {
    return new JobFinished(header, outcome, message, dropped);
  }

  @Override
  public EventType type() {
    return EventType.JOB_FINISHED;
  }

  public String outcome() {
    return outcome;
  }

  public String message() {
    return message;
  }

  public long dropped() {
    return dropped;
  }
}
