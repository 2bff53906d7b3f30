package dev.traininghealth.rules.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.traininghealth.rules.event.MalformedEventException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON codec for version 1 of the wire format ({@code schema/events-v1.schema.json}). Thread-safe.
 *
 * <p>Doubles that are not finite are written as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"}, since JSON has no such numbers and a NaN loss is exactly what must get
 * through. Unknown fields are ignored; a missing required field, a wrong type, an unknown
 * {@code v} or {@code type}, or a record over {@link #MAX_RECORD_BYTES} is a
 * {@link MalformedEventException} naming the problem.
 */
public final class EventCodec {
  /** Larger records are rejected before parsing. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  /** The plain reader's reused objects, one set per decoding thread. */
  private static final ThreadLocal<RecordFields.Arena> ARENA =
      ThreadLocal.withInitial(RecordFields.Arena::new);

  private final JsonFactory factory;

  public EventCodec() {
    this.factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxNumberLength(400)
                    .maxStringLength(MAX_RECORD_BYTES)
                    .build())
            // Most of a record's bytes are doubles printed in full (17 digits), and the JDK's
            // parser takes its slow big-integer path for those: half the decode time. This one
            // rounds correctly too, so it gives the same double, bit for bit.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
  }

  // ---------------------------------------------------------------- encode

  /** The event as UTF-8 JSON. */
  public byte[] encode(Event e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      Header h = e.header();
      g.writeNumberField("v", Header.VERSION);
      g.writeStringField("type", e.type().wireName());
      g.writeStringField("job", h.job());
      g.writeStringField("run", h.run());
      g.writeNumberField("seq", h.seq());
      g.writeNumberField("ts", h.ts());
      g.writeNumberField("iter", h.iter());
      g.writeNumberField("epoch", h.epoch());
      if (h.worker() != null) {
        g.writeStringField("worker", h.worker());
      }
      switch (e.type()) {
        case ITERATION:
          writeIteration(g, (Iteration) e);
          break;
        case NONFINITE:
          writeNonFinite(g, (NonFinite) e);
          break;
        case JOB_STARTED:
          writeJobStarted(g, (JobStarted) e);
          break;
        case JOB_FINISHED:
          JobFinished f = (JobFinished) e;
          g.writeStringField("outcome", f.outcome());
          g.writeStringField("message", f.message());
          g.writeNumberField("dropped", f.dropped());
          break;
        case HEARTBEAT:
          Heartbeat hb = (Heartbeat) e;
          g.writeStringField("phase", hb.phase());
          g.writeNumberField("dropped", hb.dropped());
          if (!hb.message().isEmpty()) {
            g.writeStringField("message", hb.message());
          }
          break;
        case PLATEAU:
          Plateau p = (Plateau) e;
          g.writeNumberField("window", p.window());
          writeDouble(g, "relative_improvement", p.relativeImprovement());
          g.writeNumberField("since", p.since());
          writeDouble(g, "statistic", p.statistic());
          break;
        case CURVATURE:
          writeCurvature(g, (Curvature) e);
          break;
        case ACTIVATIONS:
          g.writeArrayFieldStart("layers");
          for (Activations.LayerActivity a : ((Activations) e).layers()) {
            g.writeStartObject();
            g.writeStringField("layer", a.layer());
            writeDouble(g, "dead_fraction", a.deadFraction());
            if (!Double.isNaN(a.blindFraction())) { // absent reads as NaN; older agents omit it
              writeDouble(g, "blind_fraction", a.blindFraction());
            }
            writeDouble(g, "saturated_fraction", a.saturatedFraction());
            g.writeEndObject();
          }
          g.writeEndArray();
          break;
        case ACTION_RESULT:
          ActionResult r = (ActionResult) e;
          g.writeStringField("command", r.commandId());
          g.writeStringField("action", r.action());
          g.writeStringField("outcome", r.outcome().wireName());
          g.writeStringField("reason", r.reason());
          break;
        default:
          throw new IllegalStateException("no encoder for " + e.type());
      }
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  private static void writeIteration(JsonGenerator g, Iteration it) throws IOException {
    writeDouble(g, "loss", it.loss());
    writeDouble(g, "lr", it.learningRate());
    writeDouble(g, "grad_norm", it.gradNorm());
    writeDouble(g, "param_norm", it.paramNorm());
    writeDouble(g, "update_norm", it.updateNorm());
    writeDouble(g, "step_ms", it.stepMs());
    g.writeNumberField("batch_size", it.batchSize());
    g.writeNumberField("dropped", it.dropped());
    if (!it.layers().isEmpty()) {
      g.writeArrayFieldStart("layers");
      for (LayerStats s : it.layers()) {
        g.writeStartObject();
        g.writeStringField("layer", s.layer());
        if (!s.param().isEmpty()) {
          g.writeStringField("param", s.param());
        }
        writeDouble(g, "grad_norm", s.gradNorm());
        writeDouble(g, "param_norm", s.paramNorm());
        writeDouble(g, "update_norm", s.updateNorm());
        g.writeEndObject();
      }
      g.writeEndArray();
    }
  }

  private static void writeNonFinite(JsonGenerator g, NonFinite n) throws IOException {
    g.writeStringField("where", n.where().wireName());
    g.writeStringField("layer", n.layer());
    g.writeNumberField("nan", n.nanCount());
    g.writeNumberField("inf", n.infCount());
    g.writeNumberField("batch", n.batchIndex());
    writeInts(g, "rows", n.rows());
    writeInts(g, "cols", n.cols());
    g.writeStringField("fingerprint", n.fingerprint());
  }

  private static void writeJobStarted(JsonGenerator g, JobStarted s) throws IOException {
    g.writeStringField("model_class", s.modelClass());
    g.writeArrayFieldStart("layers");
    for (LayerInfo l : s.layers()) {
      g.writeStartObject();
      g.writeStringField("name", l.name());
      g.writeStringField("kind", l.kind());
      g.writeStringField("activation", l.activation());
      g.writeNumberField("params", l.params());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("total_params", s.totalParams());
    g.writeStringField("updater", s.updater());
    writeDouble(g, "lr", s.learningRate());
    g.writeNumberField("batch_size", s.batchSize());
    g.writeStringField("backend", s.backend());
    g.writeStringField("host", s.host());
    g.writeNumberField("pid", s.pid());
    g.writeStringField("agent_version", s.agentVersion());
    g.writeObjectFieldStart("config");
    for (Map.Entry<String, String> c : s.config().entrySet()) {
      g.writeStringField(c.getKey(), c.getValue());
    }
    g.writeEndObject();
  }

  private static void writeCurvature(JsonGenerator g, Curvature c) throws IOException {
    writeDouble(g, "lambda_max", c.lambdaMax());
    writeDouble(g, "lambda_min", c.lambdaMin());
    writeDouble(g, "residual_max", c.residualMax());
    writeDouble(g, "residual_min", c.residualMin());
    writeDouble(g, "trace", c.trace());
    writeDouble(g, "preconditioned_max", c.preconditionedMax());
    g.writeNumberField("lanczos_iterations", c.iterations());
    g.writeNumberField("gradient_evaluations", c.gradientEvaluations());
    writeDouble(g, "cost_ms", c.costMs());
    g.writeNumberField("batch_size", c.batchSize());
  }

  private static void writeDouble(JsonGenerator g, String name, double v) throws IOException {
    if (Double.isFinite(v)) {
      g.writeNumberField(name, v);
    } else {
      g.writeStringField(name, Double.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
    }
  }

  private static void writeInts(JsonGenerator g, String name, List<Integer> v) throws IOException {
    g.writeArrayFieldStart(name);
    for (int i : v) {
      g.writeNumber(i);
    }
    g.writeEndArray();
  }

  // ---------------------------------------------------------------- decode

  /** The fields of the objects in a {@code layers} array, over all event types. */
  private static final class Item {
    static final FieldTable FIELDS = new FieldTable();
    static final int LAYER = FIELDS.scalar("layer");
    static final int PARAM = FIELDS.scalar("param");
    static final int GRAD_NORM = FIELDS.scalar("grad_norm");
    static final int PARAM_NORM = FIELDS.scalar("param_norm");
    static final int UPDATE_NORM = FIELDS.scalar("update_norm");
    static final int NAME = FIELDS.scalar("name");
    static final int KIND = FIELDS.scalar("kind");
    static final int ACTIVATION = FIELDS.scalar("activation");
    static final int PARAMS = FIELDS.scalar("params");
    static final int DEAD_FRACTION = FIELDS.scalar("dead_fraction");
    static final int SATURATED_FRACTION = FIELDS.scalar("saturated_fraction");
    static final int BLIND_FRACTION = FIELDS.scalar("blind_fraction");
  }

  /** The top-level fields of a record, over all event types. */
  private static final class Top {
    static final FieldTable FIELDS = new FieldTable();
    static final int V = FIELDS.scalar("v");
    static final int TYPE = FIELDS.scalar("type");
    static final int JOB = FIELDS.scalar("job");
    static final int RUN = FIELDS.scalar("run");
    static final int SEQ = FIELDS.scalar("seq");
    static final int TS = FIELDS.scalar("ts");
    static final int ITER = FIELDS.scalar("iter");
    static final int EPOCH = FIELDS.scalar("epoch");
    static final int WORKER = FIELDS.scalar("worker");
    static final int LOSS = FIELDS.scalar("loss");
    static final int LR = FIELDS.scalar("lr");
    static final int GRAD_NORM = FIELDS.scalar("grad_norm");
    static final int PARAM_NORM = FIELDS.scalar("param_norm");
    static final int UPDATE_NORM = FIELDS.scalar("update_norm");
    static final int STEP_MS = FIELDS.scalar("step_ms");
    static final int BATCH_SIZE = FIELDS.scalar("batch_size");
    static final int DROPPED = FIELDS.scalar("dropped");
    static final int LAYERS = FIELDS.objects("layers", Item.FIELDS);
    static final int WHERE = FIELDS.scalar("where");
    static final int LAYER = FIELDS.scalar("layer");
    static final int NAN = FIELDS.scalar("nan");
    static final int INF = FIELDS.scalar("inf");
    static final int BATCH = FIELDS.scalar("batch");
    static final int ROWS = FIELDS.ints("rows");
    static final int COLS = FIELDS.ints("cols");
    static final int FINGERPRINT = FIELDS.scalar("fingerprint");
    static final int MODEL_CLASS = FIELDS.scalar("model_class");
    static final int TOTAL_PARAMS = FIELDS.scalar("total_params");
    static final int UPDATER = FIELDS.scalar("updater");
    static final int BACKEND = FIELDS.scalar("backend");
    static final int HOST = FIELDS.scalar("host");
    static final int PID = FIELDS.scalar("pid");
    static final int AGENT_VERSION = FIELDS.scalar("agent_version");
    static final int CONFIG = FIELDS.stringMap("config");
    static final int OUTCOME = FIELDS.scalar("outcome");
    static final int MESSAGE = FIELDS.scalar("message");
    static final int PHASE = FIELDS.scalar("phase");
    static final int WINDOW = FIELDS.scalar("window");
    static final int RELATIVE_IMPROVEMENT = FIELDS.scalar("relative_improvement");
    static final int SINCE = FIELDS.scalar("since");
    static final int STATISTIC = FIELDS.scalar("statistic");
    static final int LAMBDA_MAX = FIELDS.scalar("lambda_max");
    static final int LAMBDA_MIN = FIELDS.scalar("lambda_min");
    static final int RESIDUAL_MAX = FIELDS.scalar("residual_max");
    static final int RESIDUAL_MIN = FIELDS.scalar("residual_min");
    static final int TRACE = FIELDS.scalar("trace");
    static final int PRECONDITIONED_MAX = FIELDS.scalar("preconditioned_max");
    static final int LANCZOS_ITERATIONS = FIELDS.scalar("lanczos_iterations");
    static final int GRADIENT_EVALUATIONS = FIELDS.scalar("gradient_evaluations");
    static final int COST_MS = FIELDS.scalar("cost_ms");
    static final int COMMAND = FIELDS.scalar("command");
    static final int ACTION = FIELDS.scalar("action");
    static final int REASON = FIELDS.scalar("reason");
  }

  /** The top-level fields the decoder knows, for the tests of {@link PlainJsonReader}. */
  static FieldTable topFields() {
    return Top.FIELDS;
  }

  /**
   * Parses one record; never throws anything but {@link MalformedEventException}. One streaming
   * pass reads the known fields into typed slots ({@link RecordFields}); they are checked after
   * the whole record has parsed, so the answers are those of reading a tree first.
   */
  public Event decode(byte[] record) throws MalformedEventException {
    if (record == null) {
      throw new MalformedEventException(Kind.EMPTY, "record is null");
    }
    return decode(record, 0, record.length);
  }

  /**
   * {@link #decode(byte[])} of the record in a buffer's remaining bytes, which it leaves as they
   * were; without a copy when the buffer has an accessible array (a Kafka consumer's values read
   * with a {@code ByteBufferDeserializer} do: half of what the daemon's consumer thread allocated
   * was the copy into a new array per record).
   */
  public Event decode(ByteBuffer record) throws MalformedEventException {
    if (record == null) {
      throw new MalformedEventException(Kind.EMPTY, "record is null");
    }
    if (record.hasArray()) {
      return decode(record.array(), record.arrayOffset() + record.position(), record.remaining());
    }
    if (record.remaining() > MAX_RECORD_BYTES) {
      throw tooLarge(record.remaining());
    }
    byte[] copy = new byte[record.remaining()];
    record.duplicate().get(copy);
    return decode(copy, 0, copy.length);
  }

  private Event decode(byte[] record, int offset, int length) throws MalformedEventException {
    if (length > MAX_RECORD_BYTES) {
      throw tooLarge(length);
    }
    RecordFields.Arena arena = ARENA.get();
    try {
      RecordFields root = PlainJsonReader.read(record, offset, length, Top.FIELDS, arena);
      if (root == null) {
        root = readWithJackson(record, offset, length);
      }
      try {
        return decodeObject(root);
      } catch (IllegalArgumentException | NullPointerException ex) {
        throw new MalformedEventException(ex.getMessage(), ex);
      }
    } finally {
      arena.release();
    }
  }

  private static MalformedEventException tooLarge(int length) {
    return new MalformedEventException(Kind.TOO_LARGE,
        "record of " + length + " bytes exceeds the limit of " + MAX_RECORD_BYTES);
  }

  /** Any record: what the plain reader leaves, and the answer to all that is not JSON. */
  private RecordFields readWithJackson(byte[] record, int offset, int length)
      throws MalformedEventException {
    RecordFields root = null;
    try (JsonParser p = factory.createParser(record, offset, length)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        root = RecordFields.read(p, Top.FIELDS);
      } else {
        RecordFields.skip(p, t); // a tree would have read it whole: its syntax errors first
      }
      // Like ObjectMapper.readTree, whatever follows the first value is not looked at.
    } catch (JsonProcessingException ex) {
      throw new MalformedEventException(Kind.NOT_JSON, "not valid JSON: " + ex.getOriginalMessage(),
          ex);
    } catch (IOException | RuntimeException ex) {
      throw new MalformedEventException(Kind.NOT_JSON, "not valid JSON: " + ex.getMessage(), ex);
    }
    if (root == null) {
      throw new MalformedEventException(Kind.NOT_JSON, "an event must be a JSON object");
    }
    return root;
  }

  private static Event decodeObject(RecordFields f) throws MalformedEventException {
    long v = f.requireLong(Top.V);
    if (v != Header.VERSION) {
      throw new MalformedEventException(Kind.UNSUPPORTED_VERSION,
          "unsupported version v=" + v + " (this daemon speaks 1)");
    }
    String typeName = f.requireString(Top.TYPE);
    EventType type = EventType.fromWire(typeName);
    if (type == null) {
      throw new MalformedEventException(Kind.UNKNOWN_TYPE, "unknown event type '" + typeName + "'");
    }
    Header h =
        Header.of(
            f.requireString(Top.JOB),
            f.requireString(Top.RUN),
            f.requireLong(Top.SEQ),
            f.requireLong(Top.TS),
            f.requireLong(Top.ITER),
            f.requireInt(Top.EPOCH),
            f.optionalString(Top.WORKER, null));
    switch (type) {
      case ITERATION:
        return decodeIteration(h, f);
      case NONFINITE:
        {
          String whereName = f.requireString(Top.WHERE);
          NonFinite.Where where = NonFinite.Where.fromWire(whereName);
          if (where == null) {
            throw new MalformedEventException("unknown where '" + whereName + "'");
          }
          return NonFinite.of(
              h,
              where,
              f.optionalString(Top.LAYER, ""),
              f.requireLong(Top.NAN),
              f.requireLong(Top.INF),
              f.optionalLong(Top.BATCH, -1),
              f.ints(Top.ROWS),
              f.ints(Top.COLS),
              f.optionalString(Top.FINGERPRINT, ""));
        }
      case JOB_STARTED:
        return decodeJobStarted(h, f);
      case JOB_FINISHED:
        return JobFinished.of(
            h,
            f.requireString(Top.OUTCOME),
            f.optionalString(Top.MESSAGE, ""),
            f.optionalLong(Top.DROPPED, 0));
      case HEARTBEAT:
        return Heartbeat.of(h, f.requireString(Top.PHASE), f.optionalLong(Top.DROPPED, 0),
            f.optionalString(Top.MESSAGE, ""));
      case PLATEAU:
        return Plateau.of(
            h,
            f.requireInt(Top.WINDOW),
            f.requireDouble(Top.RELATIVE_IMPROVEMENT),
            f.requireLong(Top.SINCE),
            f.optionalDouble(Top.STATISTIC));
      case CURVATURE:
        return Curvature.builder(h)
            .lambdaMax(f.requireDouble(Top.LAMBDA_MAX))
            .lambdaMin(f.requireDouble(Top.LAMBDA_MIN))
            .residualMax(f.optionalDouble(Top.RESIDUAL_MAX))
            .residualMin(f.optionalDouble(Top.RESIDUAL_MIN))
            .trace(f.optionalDouble(Top.TRACE))
            .preconditionedMax(f.optionalDouble(Top.PRECONDITIONED_MAX))
            .iterations((int) f.optionalLong(Top.LANCZOS_ITERATIONS, 0))
            .gradientEvaluations((int) f.optionalLong(Top.GRADIENT_EVALUATIONS, 0))
            .costMs(f.optionalDouble(Top.COST_MS))
            .batchSize((int) f.optionalLong(Top.BATCH_SIZE, 0))
            .build();
      case ACTIVATIONS:
        {
          List<RecordFields> items = f.objects(Top.LAYERS);
          List<Activations.LayerActivity> layers = new ArrayList<>(items.size());
          for (int i = 0; i < items.size(); i++) {
            RecordFields l = items.get(i);
            layers.add(
                Activations.LayerActivity.of(
                    l.requireString(Item.LAYER),
                    l.optionalDouble(Item.DEAD_FRACTION),
                    l.optionalDouble(Item.BLIND_FRACTION),
                    l.optionalDouble(Item.SATURATED_FRACTION)));
          }
          return Activations.of(h, layers);
        }
      case ACTION_RESULT:
        {
          String outcomeName = f.requireString(Top.OUTCOME);
          ActionResult.Outcome outcome = ActionResult.Outcome.fromWire(outcomeName);
          if (outcome == null) {
            throw new MalformedEventException("unknown outcome '" + outcomeName + "'");
          }
          return ActionResult.of(
              h,
              f.requireString(Top.COMMAND),
              f.optionalString(Top.ACTION, ""),
              outcome,
              f.optionalString(Top.REASON, ""));
        }
      default:
        throw new MalformedEventException(Kind.UNKNOWN_TYPE, "no decoder for type " + type.wireName());
    }
  }

  private static Iteration decodeIteration(Header h, RecordFields f)
      throws MalformedEventException {
    List<RecordFields> items = f.objects(Top.LAYERS);
    List<LayerStats> layers = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      RecordFields l = items.get(i);
      layers.add(
          LayerStats.of(
              l.requireString(Item.LAYER),
              l.optionalString(Item.PARAM, ""),
              l.optionalDouble(Item.GRAD_NORM),
              l.optionalDouble(Item.PARAM_NORM),
              l.optionalDouble(Item.UPDATE_NORM)));
    }
    return Iteration.builder(h)
        .loss(f.requireDouble(Top.LOSS))
        .learningRate(f.optionalDouble(Top.LR))
        .gradNorm(f.optionalDouble(Top.GRAD_NORM))
        .paramNorm(f.optionalDouble(Top.PARAM_NORM))
        .updateNorm(f.optionalDouble(Top.UPDATE_NORM))
        .stepMs(f.optionalDouble(Top.STEP_MS))
        .batchSize(f.optionalInt(Top.BATCH_SIZE, 0))
        .dropped(f.optionalLong(Top.DROPPED, 0))
        .layers(layers)
        .build();
  }

  private static JobStarted decodeJobStarted(Header h, RecordFields f)
      throws MalformedEventException {
    List<RecordFields> items = f.objects(Top.LAYERS);
    List<LayerInfo> layers = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      RecordFields l = items.get(i);
      layers.add(
          LayerInfo.of(
              l.requireString(Item.NAME),
              l.optionalString(Item.KIND, ""),
              l.optionalString(Item.ACTIVATION, ""),
              l.optionalLong(Item.PARAMS, 0)));
    }
    return JobStarted.builder(h)
        .modelClass(f.optionalString(Top.MODEL_CLASS, ""))
        .layers(layers)
        .totalParams(f.optionalLong(Top.TOTAL_PARAMS, 0))
        .updater(f.optionalString(Top.UPDATER, ""))
        .learningRate(f.optionalDouble(Top.LR))
        .batchSize(f.optionalInt(Top.BATCH_SIZE, 0))
        .backend(f.optionalString(Top.BACKEND, ""))
        .host(f.optionalString(Top.HOST, ""))
        .pid(f.optionalLong(Top.PID, 0))
        .agentVersion(f.optionalString(Top.AGENT_VERSION, ""))
        .config(f.stringMap(Top.CONFIG))
        .build();
  }
}
