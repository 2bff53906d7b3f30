package dev.traininghealth.rules.event;

import java.util.Locale;
import java.util.Objects;

/** What the agent did with one command. */
public final class ActionResult extends Event {
  /** How a command ended. */
  public enum Outcome {
    APPLIED,
    REJECTED,
    EXPIRED,
    FAILED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Looks a wire name up; {@code null} when there is no such outcome. */
    public static Outcome fromWire(String s) {
      for (Outcome o : values()) {
        if (o.wireName().equals(s)) {
          return o;
        }
      }
      return null;
    }
  }

  private final String commandId;
  private final String action;
  private final Outcome outcome;
  private final String reason;

  private ActionResult(Header header, String commandId, String action, Outcome outcome,
      String reason) {
    super(header);
    this.commandId = Objects.requireNonNull(commandId, "commandId");
    this.action = action == null ? "" : action;
    this.outcome = Objects.requireNonNull(outcome, "outcome");
    this.reason = reason == null ? "" : reason;
  }

  public static ActionResult of(Header header, String commandId, String action, Outcome outcome,
      String reason) {
    return new ActionResult(header, commandId, action, outcome, reason);
  }

  @Override
  public EventType type() {
    return EventType.ACTION_RESULT;
  }

  public String commandId() {
    return commandId;
  }

  public String action() {
    return action;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** Why it was rejected or failed, or what applying it did. */
  public String reason() {
    return reason;
  }
}
