package dev.traininghealth.daemon.act;

import java.util.Locale;

/** Why an action that was asked for did not become a command on {@code th.commands}. */
enum NotSent {
  /** No {@code th.daemon.commands.key}: nothing can be signed. */
  NO_KEY,
  /** The job used up its actions of the last hour. */
  OVER_BUDGET,
  /** The same action went to the job less than the cooldown ago. */
  COOLDOWN,
  /** This rung was already tried in this firing of the alert. */
  DUPLICATE_RUNG,
  /** The previous rung helped, so its alert needs no next one. */
  HELPED,
  /** The alert resolved while the next rung waited for the last one's verdict. */
  RESOLVED,
  /**
   * A restart asked for by an alert that began before another rule's restart of the job: its
   * evidence is about the draw that restart already replaced.
   */
  SUPERSEDED,
  /** The rung's parameters do not make a valid command. */
  INVALID,
  /** Kafka did not take the command. */
  PUBLISH_FAILED,
  /**
   * A command with this rung's id is already on {@code th.commands}: an earlier owner of the job
   * (a daemon that crashed, or lost the job's partition) sent it.
   */
  ALREADY_SENT;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
