package dev.traininghealth.agent.action;

import dev.traininghealth.rules.command.Command;
import java.util.Objects;

/** What arrived on the command topic for this job: a decoded command, or why it was not one. */
final class Inbound {
  private final Command command;
  private final String malformedId;
  private final String malformedReason;

  private Inbound(Command command, String malformedId, String malformedReason) {
    this.command = command;
    this.malformedId = malformedId;
    this.malformedReason = malformedReason;
  }

  static Inbound of(Command c) {
    return new Inbound(Objects.requireNonNull(c, "command"), null, null);
  }

  /** A record that did not decode; {@code id} is whatever id it seemed to carry, or empty. */
  static Inbound malformed(String id, String reason) {
    return new Inbound(null, id == null ? "" : id, Objects.requireNonNull(reason, "reason"));
  }

  boolean isMalformed() {
    return command == null;
  }

  Command command() {
    return command;
  }

  String malformedId() {
    return malformedId;
  }

  String malformedReason() {
    return malformedReason;
  }
}
