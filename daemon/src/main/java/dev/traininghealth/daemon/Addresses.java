package dev.traininghealth.daemon;

import java.util.UUID;

/**
 * Event-bus addresses of one daemon. They carry an id of the daemon instance so that two daemons
 * in one Vert.x instance (tests do that) never hear each other.
 */
public final class Addresses {
  private final String prefix;

  private Addresses(String prefix) {
    this.prefix = prefix;
  }

  /** Addresses unique to a new daemon instance. */
  public static Addresses unique() {
    return new Addresses("th.daemon." + UUID.randomUUID().toString().substring(0, 8) + ".");
  }

  /** Batches of decoded events, ingest to evaluate (point to point, reply = processed). */
  public String events() {
    return prefix + "events";
  }

  /** Queries of the per-job state, answered by the evaluate verticle. */
  public String jobQueries() {
    return prefix + "jobs.query";
  }

  /** Alert changes as JSON, published for whoever acts on them (the act verticle, later). */
  public String alertChanges() {
    return prefix + "alerts.changes";
  }

  /**
   * Event batches, published by evaluate before it runs the rules on them, for the act verticle
   * to follow losses and {@code action_result}s (by reference, with the batch codec).
   */
  public String evaluatedEvents() {
    return prefix + "events.evaluated";
  }

  /** Requests of the actions API (send one, list a job's), answered by the act verticle. */
  public String actionRequests() {
    return prefix + "actions.requests";
  }

  /**
   * Partition changes, ingest to evaluate (point to point, reply = done): {@code {"op":
   * "assigned","partitions","replaying","alerts"}}, {@code {"op":"caught_up","partitions"}},
   * {@code {"op":"revoked","partitions"}}; see {@code PartitionOps}.
   */
  public String partitions() {
    return prefix + "partitions";
  }

  /**
   * Ids of commands already on {@code th.commands} for jobs this daemon just took over, as a
   * JSON array, published by ingest for the act verticle so that it never sends a rung again.
   */
  public String commandsSent() {
    return prefix + "commands.sent";
  }

  /** Name of the local codec that passes event batches by reference. */
  public String eventBatchCodec() {
    return prefix + "event-batch";
  }
}
