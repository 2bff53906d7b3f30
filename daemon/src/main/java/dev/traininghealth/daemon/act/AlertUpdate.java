package dev.traininghealth.daemon.act;

import dev.traininghealth.rules.rule.ActionRequest;
import dev.traininghealth.rules.rule.Alert;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An alert change as the act verticle needs it, read from its {@code AlertJson}. Immutable. */
final class AlertUpdate {
  private final String job;
  private final String rule;
  private final String from;
  private final String to;
  private final long sinceIter;
  private final long sinceTs;
  private final String evidence;
  private final List<ActionRequest> actions;
  private final String severity;

  AlertUpdate(String job, String rule, String from, String to, long sinceIter, String evidence,
      List<ActionRequest> actions) {
    this(job, rule, from, to, sinceIter, 0, evidence, actions);
  }

  AlertUpdate(String job, String rule, String from, String to, long sinceIter, long sinceTs,
      String evidence, List<ActionRequest> actions) {
    this(job, rule, from, to, sinceIter, sinceTs, evidence, actions, "warning");
  }

  AlertUpdate(String job, String rule, String from, String to, long sinceIter, long sinceTs,
      String evidence, List<ActionRequest> actions, String severity) {
    this.severity = severity;
    this.job = job;
    this.rule = rule;
    this.from = from;
    this.to = to;
    this.sinceIter = sinceIter;
    this.sinceTs = sinceTs;
    this.evidence = evidence;
    this.actions = List.copyOf(actions);
  }

  /** Reads the JSON that the evaluate verticle publishes; throws on a shape it does not know. */
  static AlertUpdate fromJson(JsonObject j) {
    List<ActionRequest> actions = new ArrayList<>();
    JsonArray a = j.getJsonArray("actions", new JsonArray());
    for (int i = 0; i < a.size(); i++) {
      JsonObject r = a.getJsonObject(i);
      Map<String, Object> params = new LinkedHashMap<>(
          r.getJsonObject("params", new JsonObject()).getMap());
      actions.add(ActionRequest.of(r.getString("rule"), r.getInteger("rung"),
          r.getString("action"), params));
    }
    return new AlertUpdate(require(j, "job"), require(j, "rule"), require(j, "from"),
        require(j, "to"), j.getLong("since_iter", -1L), j.getLong("since_ts", 0L),
        j.getString("evidence", ""), actions, j.getString("severity", "warning"));
  }

  private static String require(JsonObject j, String field) {
    String s = j.getString(field);
    if (s == null) {
      throw new IllegalArgumentException("alert change without '" + field + "': " + j);
    }
    return s;
  }

  String job() {
    return job;
  }

  String rule() {
    return rule;
  }

  boolean firing() {
    return "firing".equals(to);
  }

  boolean wasFiring() {
    return "firing".equals(from);
  }

  /**
   * Retired rather than cleared (a rules reload, a restart of the run): whether the alert's
   * actions helped is left to the losses that follow.
   */
  boolean retired() {
    return evidence.startsWith(Alert.RETIRED);
  }

  /** A critical alert's actions are not held back for another action's verdict. */
  boolean critical() {
    return "critical".equals(severity);
  }

  String to() {
    return to;
  }

  long sinceIter() {
    return sinceIter;
  }

  /** When the firing began (event time): with {@link #sinceIter()} it names the episode. */
  long sinceTs() {
    return sinceTs;
  }

  String evidence() {
    return evidence;
  }

  List<ActionRequest> actions() {
    return actions;
  }
}
