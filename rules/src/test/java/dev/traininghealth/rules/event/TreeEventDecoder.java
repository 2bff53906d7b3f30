package dev.traininghealth.rules.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.traininghealth.rules.event.MalformedEventException.Kind;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tree-model decoder {@link EventCodec} used before its streaming rewrite, kept verbatim as
 * the oracle of {@code StreamingDecoderTest}: the streaming decoder must accept, reject and word
 * its rejections exactly as this did.
 */
final class TreeEventDecoder {
  private static final int MAX_RECORD_BYTES = EventCodec.MAX_RECORD_BYTES;
  private static final int MAX_LIST = 100_000;

  private final ObjectMapper mapper;

  TreeEventDecoder() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxNumberLength(400)
                    .maxStringLength(MAX_RECORD_BYTES)
                    .build())
            .build();
    this.mapper = new ObjectMapper(factory);
  }

  // ---------------------------------------------------------------- decode

  /** Parses one record; never throws anything but {@link MalformedEventException}. */
  public Event decode(byte[] record) throws MalformedEventException {
    if (record == null) {
      throw new MalformedEventException(Kind.EMPTY, "record is null");
    }
    if (record.length > MAX_RECORD_BYTES) {
      throw new MalformedEventException(Kind.TOO_LARGE,
          "record of " + record.length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
    }
    JsonNode root;
    try {
      root = mapper.readTree(record);
    } catch (JsonProcessingException ex) {
      throw new MalformedEventException(Kind.NOT_JSON, "not valid JSON: " + ex.getOriginalMessage(),
          ex);
    } catch (IOException | RuntimeException ex) {
      throw new MalformedEventException(Kind.NOT_JSON, "not valid JSON: " + ex.getMessage(), ex);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedEventException(Kind.NOT_JSON, "an event must be a JSON object");
    }
    try {
      return decodeObject(new Fields(root));
    } catch (IllegalArgumentException | NullPointerException ex) {
      throw new MalformedEventException(ex.getMessage(), ex);
    }
  }

  private static Event decodeObject(Fields f) throws MalformedEventException {
    long v = f.requireLong("v");
    if (v != Header.VERSION) {
      throw new MalformedEventException(Kind.UNSUPPORTED_VERSION,
          "unsupported version v=" + v + " (this daemon speaks 1)");
    }
    String typeName = f.requireString("type");
    EventType type = EventType.fromWire(typeName);
    if (type == null) {
      throw new MalformedEventException(Kind.UNKNOWN_TYPE, "unknown event type '" + typeName + "'");
    }
    Header h =
        Header.of(
            f.requireString("job"),
            f.requireString("run"),
            f.requireLong("seq"),
            f.requireLong("ts"),
            f.requireLong("iter"),
            f.requireInt("epoch"),
            f.optionalString("worker", null));
    switch (type) {
      case ITERATION:
        return decodeIteration(h, f);
      case NONFINITE:
        {
          String whereName = f.requireString("where");
          NonFinite.Where where = NonFinite.Where.fromWire(whereName);
          if (where == null) {
            throw new MalformedEventException("unknown where '" + whereName + "'");
          }
          return NonFinite.of(
              h,
              where,
              f.optionalString("layer", ""),
              f.requireLong("nan"),
              f.requireLong("inf"),
              f.optionalLong("batch", -1),
              f.ints("rows"),
              f.ints("cols"),
              f.optionalString("fingerprint", ""));
        }
      case JOB_STARTED:
        return decodeJobStarted(h, f);
      case JOB_FINISHED:
        return JobFinished.of(
            h,
            f.requireString("outcome"),
            f.optionalString("message", ""),
            f.optionalLong("dropped", 0));
      case HEARTBEAT:
        return Heartbeat.of(h, f.requireString("phase"), f.optionalLong("dropped", 0),
            f.optionalString("message", ""));
      case PLATEAU:
        return Plateau.of(
            h,
            f.requireInt("window"),
            f.requireDouble("relative_improvement"),
            f.requireLong("since"),
            f.optionalDouble("statistic"));
      case CURVATURE:
        return Curvature.builder(h)
            .lambdaMax(f.requireDouble("lambda_max"))
            .lambdaMin(f.requireDouble("lambda_min"))
            .residualMax(f.optionalDouble("residual_max"))
            .residualMin(f.optionalDouble("residual_min"))
            .trace(f.optionalDouble("trace"))
            .preconditionedMax(f.optionalDouble("preconditioned_max"))
            .iterations((int) f.optionalLong("lanczos_iterations", 0))
            .gradientEvaluations((int) f.optionalLong("gradient_evaluations", 0))
            .costMs(f.optionalDouble("cost_ms"))
            .batchSize((int) f.optionalLong("batch_size", 0))
            .build();
      case ACTIVATIONS:
        {
          List<Activations.LayerActivity> layers = new ArrayList<>();
          for (Fields l : f.objects("layers")) {
            layers.add(
                Activations.LayerActivity.of(
                    l.requireString("layer"),
                    l.optionalDouble("dead_fraction"),
                    l.optionalDouble("blind_fraction"),
                    l.optionalDouble("saturated_fraction")));
          }
          return Activations.of(h, layers);
        }
      case ACTION_RESULT:
        {
          String outcomeName = f.requireString("outcome");
          ActionResult.Outcome outcome = ActionResult.Outcome.fromWire(outcomeName);
          if (outcome == null) {
            throw new MalformedEventException("unknown outcome '" + outcomeName + "'");
          }
          return ActionResult.of(
              h,
              f.requireString("command"),
              f.optionalString("action", ""),
              outcome,
              f.optionalString("reason", ""));
        }
      default:
        throw new MalformedEventException(Kind.UNKNOWN_TYPE, "no decoder for type " + type.wireName());
    }
  }

  private static Iteration decodeIteration(Header h, Fields f) throws MalformedEventException {
    List<LayerStats> layers = new ArrayList<>();
    for (Fields l : f.objects("layers")) {
      layers.add(
          LayerStats.of(
              l.requireString("layer"),
              l.optionalString("param", ""),
              l.optionalDouble("grad_norm"),
              l.optionalDouble("param_norm"),
              l.optionalDouble("update_norm")));
    }
    return Iteration.builder(h)
        .loss(f.requireDouble("loss"))
        .learningRate(f.optionalDouble("lr"))
        .gradNorm(f.optionalDouble("grad_norm"))
        .paramNorm(f.optionalDouble("param_norm"))
        .updateNorm(f.optionalDouble("update_norm"))
        .stepMs(f.optionalDouble("step_ms"))
        .batchSize(f.optionalInt("batch_size", 0))
        .dropped(f.optionalLong("dropped", 0))
        .layers(layers)
        .build();
  }

  private static JobStarted decodeJobStarted(Header h, Fields f) throws MalformedEventException {
    List<LayerInfo> layers = new ArrayList<>();
    for (Fields l : f.objects("layers")) {
      layers.add(
          LayerInfo.of(
              l.requireString("name"),
              l.optionalString("kind", ""),
              l.optionalString("activation", ""),
              l.optionalLong("params", 0)));
    }
    return JobStarted.builder(h)
        .modelClass(f.optionalString("model_class", ""))
        .layers(layers)
        .totalParams(f.optionalLong("total_params", 0))
        .updater(f.optionalString("updater", ""))
        .learningRate(f.optionalDouble("lr"))
        .batchSize(f.optionalInt("batch_size", 0))
        .backend(f.optionalString("backend", ""))
        .host(f.optionalString("host", ""))
        .pid(f.optionalLong("pid", 0))
        .agentVersion(f.optionalString("agent_version", ""))
        .config(f.stringMap("config"))
        .build();
  }

  /** Typed, checked access to the fields of one JSON object; errors name the field. */
  private static final class Fields {
    private final JsonNode node;
    private final String path;

    Fields(JsonNode node) {
      this(node, "");
    }

    Fields(JsonNode node, String path) {
      this.node = node;
      this.path = path;
    }

    private String name(String field) {
      return path + field;
    }

    private JsonNode require(String field) throws MalformedEventException {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        throw new MalformedEventException(Kind.MISSING_FIELD,
            "missing required field '" + name(field) + "'");
      }
      return n;
    }

    String requireString(String field) throws MalformedEventException {
      JsonNode n = require(field);
      if (!n.isTextual()) {
        throw new MalformedEventException("field '" + name(field) + "' must be a string");
      }
      return n.textValue();
    }

    String optionalString(String field, String dflt) throws MalformedEventException {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        return dflt;
      }
      if (!n.isTextual()) {
        throw new MalformedEventException("field '" + name(field) + "' must be a string");
      }
      return n.textValue();
    }

    long requireLong(String field) throws MalformedEventException {
      return toLong(field, require(field));
    }

    long optionalLong(String field, long dflt) throws MalformedEventException {
      JsonNode n = node.get(field);
      return n == null || n.isNull() ? dflt : toLong(field, n);
    }

    int requireInt(String field) throws MalformedEventException {
      return toInt(field, requireLong(field));
    }

    int optionalInt(String field, int dflt) throws MalformedEventException {
      return toInt(field, optionalLong(field, dflt));
    }

    private int toInt(String field, long v) throws MalformedEventException {
      if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
        throw new MalformedEventException("field '" + name(field) + "' is out of range: " + v);
      }
      return (int) v;
    }

    private long toLong(String field, JsonNode n) throws MalformedEventException {
      if (!n.isIntegralNumber() || !n.canConvertToLong()) {
        throw new MalformedEventException(
            "field '" + name(field) + "' must be an integer within 64 bits");
      }
      return n.longValue();
    }

    double requireDouble(String field) throws MalformedEventException {
      return toDouble(field, require(field));
    }

    double optionalDouble(String field) throws MalformedEventException {
      JsonNode n = node.get(field);
      return n == null || n.isNull() ? Double.NaN : toDouble(field, n);
    }

    private double toDouble(String field, JsonNode n) throws MalformedEventException {
      if (n.isNumber()) {
        return n.doubleValue();
      }
      if (n.isTextual()) {
        switch (n.textValue()) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
      }
      throw new MalformedEventException(
          "field '" + name(field) + "' must be a number or \"NaN\", \"Infinity\", \"-Infinity\"");
    }

    List<Integer> ints(String field) throws MalformedEventException {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (!n.isArray() || n.size() > MAX_LIST) {
        throw new MalformedEventException(
            "field '" + name(field) + "' must be an array of at most " + MAX_LIST + " integers");
      }
      List<Integer> out = new ArrayList<>(n.size());
      for (int i = 0; i < n.size(); i++) {
        out.add(toInt(field, toLong(field + "[" + i + "]", n.get(i))));
      }
      return out;
    }

    List<Fields> objects(String field) throws MalformedEventException {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        return List.of();
      }
      if (!n.isArray() || n.size() > MAX_LIST) {
        throw new MalformedEventException(
            "field '" + name(field) + "' must be an array of at most " + MAX_LIST + " objects");
      }
      List<Fields> out = new ArrayList<>(n.size());
      for (int i = 0; i < n.size(); i++) {
        JsonNode o = n.get(i);
        if (!o.isObject()) {
          throw new MalformedEventException(
              "field '" + name(field) + "[" + i + "]' must be an object");
        }
        out.add(new Fields(o, name(field) + "[" + i + "]."));
      }
      return out;
    }

    Map<String, String> stringMap(String field) throws MalformedEventException {
      JsonNode n = node.get(field);
      if (n == null || n.isNull()) {
        return Map.of();
      }
      if (!n.isObject()) {
        throw new MalformedEventException("field '" + name(field) + "' must be an object");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isValueNode()) {
          throw new MalformedEventException(
              "field '" + name(field) + "." + e.getKey() + "' must be a string");
        }
        out.put(e.getKey(), e.getValue().asText());
      }
      return out;
    }
  }
}
