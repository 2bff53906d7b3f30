package dev.traininghealth.daemon.act;

import dev.traininghealth.rules.command.Command;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of {@code POST /api/jobs/{id}/actions}, checked: {@code {"action": <known action>,
 * "params": {<name>: string|number|boolean}, "reason": string, "run": string}}, only {@code
 * action} required. Each problem is an {@link IllegalArgumentException} whose message names it.
 */
final class ActionBody {
  static final Set<String> FIELDS = Set.of("action", "params", "reason", "run");
  static final int MAX_REASON_CHARS = CommandIssuer.MAX_REASON_CHARS;

  private ActionBody() {}

  /** The body as the event-bus request the act verticle takes (without op and job). */
  static JsonObject parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw new IllegalArgumentException("the body must be a JSON object with an 'action'");
    }
    JsonObject j;
    try {
      j = body.toJsonObject();
    } catch (DecodeException | ClassCastException ex) {
      throw new IllegalArgumentException("the body is not a JSON object: " + ex.getMessage());
    }
    for (String f : j.fieldNames()) {
      if (!FIELDS.contains(f)) {
        throw new IllegalArgumentException("unknown field '" + f + "' (known: "
            + new TreeSet<>(FIELDS) + ")");
      }
    }
    Object action = j.getValue("action");
    if (!(action instanceof String)) {
      throw new IllegalArgumentException("'action' must be a string naming one of "
          + new TreeSet<>(Command.ACTIONS));
    }
    if (!Command.ACTIONS.contains(action)) {
      throw new IllegalArgumentException("unknown action '" + action + "' (known: "
          + new TreeSet<>(Command.ACTIONS) + ")");
    }
    Object params = j.getValue("params");
    if (params != null && !(params instanceof JsonObject)) {
      throw new IllegalArgumentException("'params' must be a JSON object of strings, numbers"
          + " and booleans");
    }
    if (params != null) {
      for (Map.Entry<String, Object> e : (JsonObject) params) {
        Object v = e.getValue();
        if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
          throw new IllegalArgumentException("param '" + e.getKey() + "' must be a string, number"
              + " or boolean, got " + (v == null ? "null" : v.getClass().getSimpleName()));
        }
        if (v instanceof Number n && !Double.isFinite(n.doubleValue())) {
          throw new IllegalArgumentException("param '" + e.getKey() + "' must be finite");
        }
      }
    }
    text(j, "reason", MAX_REASON_CHARS);
    text(j, "run", 256);
    return j;
  }

  private static void text(JsonObject j, String field, int max) {
    Object v = j.getValue(field);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    if (v != null && ((String) v).length() > max) {
      throw new IllegalArgumentException("'" + field + "' is longer than " + max + " characters");
    }
  }
}
