package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.rule.ActionRequest;
import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.AlertChange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.TreeMap;

/** An alert change as it is published on {@code th.alerts} and on the event bus. */
public final class AlertJson {
  /** Version of this JSON shape. */
  public static final int VERSION = 1;

  private AlertJson() {}

  /**
   * {@code {"v":1,"type":"alert","job","rule","severity","from","to","since_iter","since_ts",
   * "value","evidence","ts","actions"}}, where {@code ts} is when the daemon saw the change.
   */
  public static JsonObject of(AlertChange c, long nowMs) {
    Alert a = c.alert();
    return new JsonObject()
        .put("v", VERSION)
        .put("type", "alert")
        .put("job", a.job())
        .put("rule", a.rule())
        .put("severity", a.severity().wireName())
        .put("from", c.from().wireName())
        .put("to", c.to().wireName())
        .put("since_iter", a.sinceIter())
        .put("since_ts", a.sinceTs())
        .put("value", Json.number(a.value()))
        .put("evidence", a.evidence())
        .put("ts", nowMs)
        .put("actions", actions(c));
  }

  /** The rungs the change asks for: {@code [{"rule","rung","action","params"}]}, often empty. */
  private static JsonArray actions(AlertChange c) {
    JsonArray out = new JsonArray();
    for (ActionRequest r : c.actions()) {
      out.add(new JsonObject().put("rule", r.rule()).put("rung", r.rung())
          .put("action", r.action()).put("params", new JsonObject(new TreeMap<>(r.params()))));
    }
    return out;
  }
}
