package dev.traininghealth.rules.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON for commands, and their canonical form: the same JSON without {@code sig}, keys in a fixed
 * order, params sorted by name, no white space. Both sides sign and verify over the canonical
 * form, so field order on the wire does not matter. Thread-safe.
 */
public final class CommandCodec {
  /** Larger records are rejected before parsing. */
  public static final int MAX_RECORD_BYTES = 64 * 1024;

  private final JsonFactory factory =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(100).build())
          .build();
  private final ObjectMapper mapper = new ObjectMapper(factory);

  /** The signed bytes: every field but {@code sig}. */
  public byte[] canonical(Command c) {
    return write(c, false);
  }

  /** The record as sent on {@code th.commands}, signature included. */
  public byte[] encode(Command c) {
    return write(c, true);
  }

  private byte[] write(Command c, boolean withSig) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", Command.VERSION);
      g.writeStringField("id", c.id());
      g.writeStringField("job", c.job());
      g.writeStringField("run", c.run());
      g.writeStringField("action", c.action());
      g.writeObjectFieldStart("params");
      for (Map.Entry<String, Object> e : c.params().entrySet()) {
        Object v = e.getValue();
        if (v instanceof Long) {
          g.writeNumberField(e.getKey(), (Long) v);
        } else if (v instanceof Double) {
          g.writeNumberField(e.getKey(), (Double) v);
        } else if (v instanceof Boolean) {
          g.writeBooleanField(e.getKey(), (Boolean) v);
        } else {
          g.writeStringField(e.getKey(), (String) v);
        }
      }
      g.writeEndObject();
      g.writeNumberField("issued", c.issued());
      g.writeNumberField("expires", c.expires());
      g.writeStringField("reason", c.reason());
      if (withSig) {
        g.writeStringField("sig", c.sig());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Parses a record; the signature is read, not checked ({@link CommandSigner#verify} does). */
  public Command decode(byte[] record) throws MalformedCommandException {
    if (record == null || record.length == 0) {
      throw new MalformedCommandException("empty command record");
    }
    if (record.length > MAX_RECORD_BYTES) {
      throw new MalformedCommandException(
          "command of " + record.length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
    }
    JsonNode n;
    try {
      n = mapper.readTree(record);
    } catch (IOException | RuntimeException e) {
      throw new MalformedCommandException("command is not valid JSON: " + e.getMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new MalformedCommandException("a command must be a JSON object");
    }
    JsonNode v = n.get("v");
    if (v == null || !v.isIntegralNumber() || v.asLong() != Command.VERSION) {
      throw new MalformedCommandException("unsupported command version " + v);
    }
    Map<String, Object> params = new LinkedHashMap<>();
    JsonNode p = n.get("params");
    if (p != null && !p.isNull()) {
      if (!p.isObject()) {
        throw new MalformedCommandException("'params' must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode x = e.getValue();
        if (x.isIntegralNumber() && x.canConvertToLong()) {
          params.put(e.getKey(), x.longValue());
        } else if (x.isNumber()) {
          params.put(e.getKey(), x.doubleValue());
        } else if (x.isBoolean()) {
          params.put(e.getKey(), x.booleanValue());
        } else if (x.isTextual()) {
          params.put(e.getKey(), x.textValue());
        } else {
          throw new MalformedCommandException(
              "param '" + e.getKey() + "' must be a string, number or boolean");
        }
      }
    }
    try {
      Command c =
          Command.builder()
              .id(text(n, "id", true))
              .job(text(n, "job", true))
              .run(text(n, "run", false))
              .action(text(n, "action", true))
              .params(params)
              .issued(number(n, "issued"))
              .expires(number(n, "expires"))
              .reason(text(n, "reason", false))
              .build();
      return c.withSig(text(n, "sig", false));
    } catch (IllegalArgumentException e) {
      throw new MalformedCommandException(e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field, boolean required)
      throws MalformedCommandException {
    JsonNode x = n.get(field);
    if (x == null || x.isNull()) {
      if (required) {
        throw new MalformedCommandException("missing required field '" + field + "'");
      }
      return "";
    }
    if (!x.isTextual()) {
      throw new MalformedCommandException("field '" + field + "' must be a string");
    }
    return x.textValue();
  }

  private static long number(JsonNode n, String field) throws MalformedCommandException {
    JsonNode x = n.get(field);
    if (x == null || !x.isIntegralNumber() || !x.canConvertToLong()) {
      throw new MalformedCommandException("field '" + field + "' must be an integer (epoch ms)");
    }
    return x.longValue();
  }
}
