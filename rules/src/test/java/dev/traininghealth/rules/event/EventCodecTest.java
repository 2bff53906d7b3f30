package dev.traininghealth.rules.event;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventCodecTest {
  private final EventCodec codec = new EventCodec();

  private static Header h(long seq) {
    return Header.of("job-1", "run-1", seq, 1_700_000_000_000L, 42, 1, null);
  }

  private static List<Event> oneOfEach() {
    return Arrays.asList(
        JobStarted.builder(h(0))
            .modelClass("MultiLayerNetwork")
            .layers(List.of(LayerInfo.of("0", "DenseLayer", "relu", 1344)))
            .totalParams(1539)
            .updater("Adam")
            .learningRate(1e-3)
            .batchSize(32)
            .backend("CPU")
            .host("h")
            .pid(7)
            .agentVersion("0.1.0")
            .config(Map.of("job", "job-1"))
            .build(),
        Iteration.builder(h(1))
            .loss(0.5)
            .learningRate(1e-3)
            .gradNorm(2.5)
            .paramNorm(10)
            .updateNorm(0.01)
            .stepMs(3.25)
            .batchSize(32)
            .dropped(3)
            .layers(List.of(LayerStats.of("0", "W", 1, 2, 3), LayerStats.of("1", "", 4, 5, 6)))
            .build(),
        NonFinite.of(h(2), NonFinite.Where.INPUT, "", 4, 1, 7, List.of(5, 6), List.of(3, 7),
            "a1b2"),
        Plateau.of(h(3), 200, 1e-4, 17, -0.3),
        Curvature.builder(h(4))
            .lambdaMax(10.5)
            .lambdaMin(-0.25)
            .residualMax(1e-3)
            .residualMin(2e-3)
            .iterations(20)
            .gradientEvaluations(40)
            .costMs(120)
            .batchSize(128)
            .build(),
        Activations.of(h(5), List.of(Activations.LayerActivity.of("0", 0.25, Double.NaN),
            Activations.LayerActivity.relu("1", 0.5, 0.6))),
        Heartbeat.of(Header.of("job-1", "run-1", 6, 1, 0, 0, "w0"), "degraded", 0, "probe 'norms' disabled"),
        ActionResult.of(h(7), "cmd-1", "lr_kick", ActionResult.Outcome.REJECTED, "bad signature"),
        JobFinished.of(h(8), "completed", "", 0));
  }

  @Test
  void everyEventTypeSurvivesARoundTripByteForByte() throws Exception {
    List<Event> events = oneOfEach();
    assertEquals(EventType.values().length, events.size(), "one of each type");
    for (Event e : events) {
      byte[] once = codec.encode(e);
      Event back = codec.decode(once);
      assertEquals(e.type(), back.type());
      assertEquals(e.header(), back.header());
      assertArrayEquals(once, codec.encode(back), new String(once, StandardCharsets.UTF_8));
    }
  }

  @Test
  void nanAndInfinityTravelAsStrings() throws Exception {
    Iteration it = Iteration.builder(h(1)).loss(Double.NaN).gradNorm(Double.POSITIVE_INFINITY)
        .build();
    String json = new String(codec.encode(it), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"loss\":\"NaN\""), json);
    assertTrue(json.contains("\"grad_norm\":\"Infinity\""), json);
    Iteration back = (Iteration) codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertTrue(Double.isNaN(back.loss()));
    assertEquals(Double.POSITIVE_INFINITY, back.gradNorm());
  }

  @Test
  void aBlindFractionTravelsOnlyWhereItWasMeasured() throws Exception {
    Activations a = Activations.of(h(5), List.of(Activations.LayerActivity.relu("0", 0, 0.6),
        Activations.LayerActivity.of("1", Double.NaN, 0.1)));
    String json = new String(codec.encode(a), StandardCharsets.UTF_8);
    assertEquals(1, json.split("blind_fraction", -1).length - 1, json);
    Activations back = (Activations) codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(0.6, back.layers().get(0).blindFraction());
    assertTrue(Double.isNaN(back.layers().get(1).blindFraction()), "absent reads as NaN");
  }

  @Test
  void ignoresUnknownFields() throws Exception {
    String json = "{\"v\":1,\"type\":\"heartbeat\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"phase\":\"idle\",\"future_field\":{\"x\":[1,2]}}";
    Heartbeat hb = (Heartbeat) codec.decode(json.getBytes(StandardCharsets.UTF_8));
    assertEquals("idle", hb.phase());
  }

  private String reject(String json) {
    MalformedEventException e =
        assertThrows(
            MalformedEventException.class,
            () -> codec.decode(json.getBytes(StandardCharsets.UTF_8)));
    return e.getMessage();
  }

  private static final String OK_HEAD =
      "\"type\":\"heartbeat\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,\"ts\":1,\"iter\":0,"
          + "\"epoch\":0,\"phase\":\"idle\"";

  @Test
  void rejectsMalformedRecordsNamingTheProblem() {
    assertTrue(reject("{not json").startsWith("not valid JSON"));
    assertTrue(reject("[1,2]").contains("JSON object"));
    assertTrue(reject("{\"v\":2," + OK_HEAD + "}").contains("unsupported version v=2"));
    assertTrue(reject("{" + OK_HEAD + "}").contains("'v'"));
    assertTrue(reject("{\"v\":1,\"type\":\"warp\",\"job\":\"j\"}").contains("unknown event type"));
    assertTrue(reject("{\"v\":1," + OK_HEAD.replace("\"seq\":0", "\"seq\":-3") + "}")
        .contains("seq"));
    assertTrue(reject("{\"v\":1," + OK_HEAD.replace("\"iter\":0", "\"iter\":-1") + "}")
        .contains("iter"));
    assertTrue(reject("{\"v\":1," + OK_HEAD.replace("\"iter\":0", "\"iter\":1e999") + "}")
        .contains("'iter'"));
    assertTrue(reject("{\"v\":1," + OK_HEAD.replace("\"job\":\"j\"", "\"job\":7") + "}")
        .contains("'job' must be a string"));
    assertTrue(reject("{\"v\":1," + OK_HEAD.replace("\"seq\":0",
        "\"seq\":123456789012345678901234567890") + "}").contains("'seq'"));
    String iteration = "{\"v\":1,\"type\":\"iteration\",\"job\":\"j\",\"run\":\"r\",\"seq\":0,"
        + "\"ts\":1,\"iter\":0,\"epoch\":0,\"loss\":\"lots\"}";
    assertTrue(reject(iteration).contains("'loss'"));
    assertTrue(reject(iteration.replace("\"loss\":\"lots\",", "").replace(",\"loss\":\"lots\"",
        "")).contains("'loss'"));
  }

  private MalformedEventException.Kind kindOf(byte[] record) {
    return assertThrows(MalformedEventException.class, () -> codec.decode(record)).kind();
  }

  private MalformedEventException.Kind kindOf(String json) {
    return kindOf(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void classifiesEveryRejectionByKind() {
    assertEquals(MalformedEventException.Kind.EMPTY, kindOf((byte[]) null));
    assertEquals(MalformedEventException.Kind.TOO_LARGE,
        kindOf(new byte[EventCodec.MAX_RECORD_BYTES + 1]));
    assertEquals(MalformedEventException.Kind.NOT_JSON, kindOf("{not json"));
    assertEquals(MalformedEventException.Kind.NOT_JSON, kindOf("\"a string\""));
    assertEquals(MalformedEventException.Kind.UNSUPPORTED_VERSION,
        kindOf("{\"v\":2," + OK_HEAD + "}"));
    assertEquals(MalformedEventException.Kind.MISSING_FIELD, kindOf("{" + OK_HEAD + "}"));
    assertEquals(MalformedEventException.Kind.UNKNOWN_TYPE,
        kindOf("{\"v\":1,\"type\":\"warp\",\"job\":\"j\"}"));
    assertEquals(MalformedEventException.Kind.INVALID_FIELD,
        kindOf("{\"v\":1," + OK_HEAD.replace("\"seq\":0", "\"seq\":-3") + "}"));
    assertEquals(MalformedEventException.Kind.INVALID_FIELD,
        kindOf("{\"v\":1," + OK_HEAD.replace("\"job\":\"j\"", "\"job\":7") + "}"));
    assertEquals("unsupported_version", MalformedEventException.Kind.UNSUPPORTED_VERSION.label());
  }

  @Test
  void rejectsOversizedRecordsBeforeParsing() {
    byte[] big = new byte[EventCodec.MAX_RECORD_BYTES + 1];
    Arrays.fill(big, (byte) ' ');
    MalformedEventException e =
        assertThrows(MalformedEventException.class, () -> codec.decode(big));
    assertTrue(e.getMessage().contains("exceeds the limit"));
  }

  @Test
  void neverThrowsAnythingButMalformedEventOnRandomBytes() {
    java.util.Random r = new java.util.Random(1);
    byte[] valid = codec.encode(oneOfEach().get(1));
    for (int i = 0; i < 20_000; i++) {
      byte[] b = valid.clone();
      int flips = 1 + r.nextInt(4);
      for (int f = 0; f < flips; f++) {
        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      }
      try {
        codec.decode(b);
      } catch (MalformedEventException expected) {
        // fine: rejected with a reason
      }
    }
  }

  @Test
  void theJsonSchemaDocumentsEveryFieldTheCodecWrites() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.JsonNode schema;
    try (java.io.InputStream in =
        EventCodec.class.getResourceAsStream("/dev/traininghealth/rules/events-v1.schema.json")) {
      schema = m.readTree(in);
    }
    for (Event e : oneOfEach()) {
      com.fasterxml.jackson.databind.JsonNode body = null;
      for (com.fasterxml.jackson.databind.JsonNode branch : schema.get("allOf")) {
        if (branch.at("/if/properties/type/const").asText().equals(e.type().wireName())) {
          body = branch.at("/then/properties");
        }
      }
      assertTrue(body != null && body.isObject(), "schema has a branch for " + e.type());
      java.util.Iterator<String> fields = m.readTree(codec.encode(e)).fieldNames();
      while (fields.hasNext()) {
        String f = fields.next();
        assertTrue(
            schema.get("properties").has(f) || body.has(f),
            e.type().wireName() + "." + f + " is documented in the schema");
      }
    }
  }
}
