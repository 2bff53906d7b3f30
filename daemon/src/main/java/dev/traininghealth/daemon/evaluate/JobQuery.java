package dev.traininghealth.daemon.evaluate;

import io.vertx.core.json.JsonObject;

/**
 * The questions the evaluate verticle answers about its jobs over the event bus, so that the
 * state stays confined to its context. A reply is a {@link JsonObject}; an unknown job fails the
 * request with {@link #NOT_FOUND}, a bad question with {@link #BAD_REQUEST}.
 */
public final class JobQuery {
  public static final int NOT_FOUND = 404;
  public static final int BAD_REQUEST = 400;

  static final String OP = "op";
  static final String OP_LIST = "list";
  static final String OP_GET = "get";
  static final String JOB = "job";
  static final String POINTS = "points";
  static final String OP_ALERTS = "alerts";
  static final String OP_RULES = "rules";
  static final String STATE = "state";
  static final String SEVERITY = "severity";

  private JobQuery() {}

  /** All jobs with their latest values and non-inactive alerts: {@code {"jobs":[...]}}. */
  public static JsonObject list() {
    return new JsonObject().put(OP, OP_LIST);
  }

  /** One job's latest values, every rule's alert, and its newest {@code points} iterations. */
  public static JsonObject get(String job, int points) {
    return new JsonObject().put(OP, OP_GET).put(JOB, job).put(POINTS, points);
  }

  /**
   * The alerts of all jobs that are not inactive, optionally only those in {@code state} and of
   * {@code severity} (wire names; null: any): {@code {"count":n,"alerts":[...]}}.
   */
  public static JsonObject alerts(String state, String severity) {
    return new JsonObject().put(OP, OP_ALERTS).put(STATE, state).put(SEVERITY, severity);
  }

  /** The rules in force, each with its health over all jobs, and the last reload's outcome. */
  public static JsonObject rules() {
    return new JsonObject().put(OP, OP_RULES);
  }
}
