package dev.traininghealth.daemon.act;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Actions end to end against a real broker: events in on {@code th.events}, the default rules'
 * {@code nonfinite} ladder (rollback, then restart after 20 iterations), signed commands out on
 * {@code th.commands}, {@code action_result}s back, and the actions API. One broker and daemon
 * for the class (budget 2 actions per job per hour); each test has jobs of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ActionsDaemonTest {
  private static final String TOKEN = "actions-test-token";
  private static final String KEY = "actions-test-shared-key-0123456789";
  private static final int K = 20;
  private static final EventCodec EVENTS = new EventCodec();
  private static final CommandCodec COMMANDS = new CommandCodec();
  private static final CommandSigner SIGNER = CommandSigner.withKey(KEY);
  private static EmbeddedKafka kafka;
  private static Daemon daemon;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    kafka = EmbeddedKafka.start();
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    DaemonConfig config =
        DaemonConfig.builder()
            .bootstrapServers(kafka.bootstrapServers())
            .httpPort(0)
            .topicPartitions(2)
            .apiToken(TOKEN)
            .commandsKey(KEY)
            .actionsBudget(2)
            .actionsVerifyIterations(K)
            .build();
    Daemon.start(vertx, config).onComplete(ctx.succeeding(d -> {
      daemon = d;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (daemon != null) {
      daemon.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  // ------------------------------------------------------------------ events and commands

  // The daemon drops an event whose seq its run already sent, so every event gets the next one.
  private static final java.util.concurrent.atomic.AtomicLong SEQ =
      new java.util.concurrent.atomic.AtomicLong();

  private static Header header(String job, long iter) {
    return Header.of(job, "run-1", SEQ.incrementAndGet(), System.currentTimeMillis(), iter, 0,
        null);
  }

  private static Iteration iteration(String job, long iter, double loss) {
    return Iteration.builder(header(job, iter)).loss(loss).learningRate(0.1).build();
  }

  private static ActionResult applied(String job, String commandId, String action, long iter) {
    return ActionResult.of(header(job, iter), commandId, action,
        ActionResult.Outcome.APPLIED, "done");
  }

  private static Future<Void> send(Vertx vertx, List<Event> events) {
    return vertx.executeBlocking(() -> {
      for (Event e : events) {
        producer.send(new ProducerRecord<>(Topics.EVENTS, e.job(), EVENTS.encode(e)));
      }
      producer.flush();
      return null;
    });
  }

  private static List<Event> nanIterations(String job, long from, long to) {
    List<Event> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(iteration(job, i, Double.NaN));
    }
    return out;
  }

  /** Reads {@code th.commands} from the start until {@code n} commands for the job came. */
  private static Future<List<Command>> commands(Vertx vertx, String job, int n, long waitMs) {
    return vertx.executeBlocking(() -> {
      Map<String, Object> p = new HashMap<>();
      p.put("bootstrap.servers", kafka.bootstrapServers());
      try (KafkaConsumer<String, byte[]> c =
          new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
        List<TopicPartition> parts = new ArrayList<>();
        c.partitionsFor(Topics.COMMANDS).forEach(i -> parts.add(new TopicPartition(i.topic(),
            i.partition())));
        c.assign(parts);
        c.seekToBeginning(parts);
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (records.size() < n && System.nanoTime() < deadline) {
          c.poll(Duration.ofMillis(100)).forEach(r -> {
            if (job.equals(r.key())) {
              records.add(r);
            }
          });
        }
        records.sort((a, b) -> Long.compare(a.offset(), b.offset())); // one key, one partition
        List<Command> out = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
          out.add(COMMANDS.decode(r.value()));
        }
        return out;
      }
    });
  }

  // ------------------------------------------------------------------ HTTP

  record Response(int status, String body, Map<String, String> headers) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private static Future<Response> http(Vertx vertx, HttpMethod method, String uri,
      String authorization, String body) {
    HttpClient client = vertx.createHttpClient();
    return client
        .request(method, daemon.httpPort(), "127.0.0.1", uri)
        .compose(req -> {
          if (authorization != null) {
            req.putHeader("Authorization", authorization);
          }
          req.putHeader("Origin", "http://evil.example");
          return body == null ? req.send() : req.putHeader("Content-Type", "application/json")
              .send(body);
        })
        .compose(resp -> resp.body().map(b -> {
          Map<String, String> h = new HashMap<>();
          resp.headers().forEach(e -> h.put(e.getKey().toLowerCase(), e.getValue()));
          return new Response(resp.statusCode(), b.toString(StandardCharsets.UTF_8), h);
        }))
        .eventually(client::close);
  }

  private static Future<Response> post(Vertx vertx, String job, String authorization,
      String body) {
    return http(vertx, HttpMethod.POST, "/api/jobs/" + job + "/actions", authorization, body);
  }

  private static Future<JsonArray> actions(Vertx vertx, String job) {
    return http(vertx, HttpMethod.GET, "/api/jobs/" + job + "/actions", null, null)
        .map(r -> r.json().getJsonArray("actions"));
  }

  private static <T> Future<T> eventually(Vertx vertx, Supplier<Future<T>> attempt,
      Predicate<T> done) {
    Promise<T> p = Promise.promise();
    retry(vertx, attempt, done, p);
    return p.future();
  }

  private static <T> void retry(Vertx vertx, Supplier<Future<T>> attempt, Predicate<T> done,
      Promise<T> p) {
    attempt.get().onComplete(ar -> {
      if (ar.succeeded() && done.test(ar.result())) {
        p.complete(ar.result());
      } else {
        vertx.setTimer(100, id -> retry(vertx, attempt, done, p));
      }
    });
  }

  private static Future<Double> metric(Vertx vertx, String name, String labels) {
    return http(vertx, HttpMethod.GET, "/metrics", null, null).map(r -> {
      for (String line : r.body().split("\n")) {
        // Every sample ends with the daemon's instance label; these assertions are not about it.
        line = line.replaceFirst("\\{instance=\"[^\"]*\",\\} ", " ")
            .replaceFirst(",instance=\"[^\"]*\",\\} ", ",} ");
        // The text format 0.0.4 writes a comma after the last label.
        if (line.startsWith(name + "{" + labels + "} ")
            || line.startsWith(name + "{" + labels + ",} ")) {
          return Double.valueOf(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return null;
    });
  }

  private static JsonObject find(JsonArray actions, String action) {
    for (int i = 0; i < actions.size(); i++) {
      if (actions.getJsonObject(i).getString("action").equals(action)) {
        return actions.getJsonObject(i);
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void aNanLossSendsASignedRollbackAndItsResultIsRecorded(Vertx vertx, VertxTestContext ctx) {
    String job = "act-nan";
    send(vertx, List.of(iteration(job, 1, 0.9), iteration(job, 2, Double.NaN)))
        .compose(v -> commands(vertx, job, 1, 20_000))
        .compose(cs -> {
          ctx.verify(() -> {
            assertEquals(1, cs.size());
            Command c = cs.get(0);
            assertEquals("rollback", c.action());
            assertEquals(job, c.job());
            assertTrue(SIGNER.verify(c), "the command does not verify with the shared key");
            assertTrue(c.expires() - c.issued() == 300_000, "default TTL of 5 min");
            assertTrue(c.reason().startsWith("rule nonfinite rung 0 (rollback)"), c.reason());
          });
          return send(vertx, List.of(applied(job, cs.get(0).id(), "rollback", 3),
              iteration(job, 4, 0.8))).map(cs.get(0));
        })
        .compose(c -> eventually(vertx, () -> actions(vertx, job),
            a -> a.size() == 1 && "helped".equals(a.getJsonObject(0).getString("verdict")))
            .map(a -> a.getJsonObject(0).put("expected_id", c.id())))
        .compose(rec -> metric(vertx, ActionMetrics.RESULTS_TOTAL,
            "action=\"rollback\",outcome=\"applied\"").map(m -> rec.put("results", m)))
        .compose(rec -> metric(vertx, ActionMetrics.SENT_TOTAL,
            "job=\"" + job + "\",action=\"rollback\",source=\"rule\"").map(m -> rec.put("sent", m)))
        .onComplete(ctx.succeeding(rec -> ctx.verify(() -> {
          assertEquals(rec.getString("expected_id"), rec.getString("id"));
          assertEquals("sent", rec.getString("status"));
          assertEquals("applied", rec.getString("outcome"));
          assertEquals(3L, rec.getLong("outcome_iter"));
          assertEquals("rule", rec.getString("source"));
          assertEquals("nonfinite", rec.getString("rule"));
          assertTrue(rec.getDouble("results") >= 1.0, rec.encode());
          assertEquals(1.0, rec.getDouble("sent"));
          ctx.completeNow();
        })));
  }

  @Test
  void theNextRungGoesOnlyAfterKIterationsWithoutRecoveryAndNeverTwice(Vertx vertx,
      VertxTestContext ctx) {
    String job = "act-ladder";
    send(vertx, nanIterations(job, 1, 1))
        .compose(v -> commands(vertx, job, 1, 20_000))
        .compose(cs -> {
          List<Event> next = new ArrayList<>();
          next.add(applied(job, cs.get(0).id(), "rollback", 2));
          next.addAll(nanIterations(job, 3, 30));
          return send(vertx, next);
        })
        .compose(v -> commands(vertx, job, 2, 20_000))
        // More iterations without recovery: the ladder has no third rung, and none is repeated.
        .compose(two -> send(vertx, nanIterations(job, 31, 80)).map(two))
        .compose(two -> eventually(vertx,
            () -> http(vertx, HttpMethod.GET, "/api/jobs/" + job, null, null),
            r -> r.status() == 200 && r.json().getLong("iteration") == 80).map(two))
        .compose(two -> commands(vertx, job, 3, 2_000)
            .compose(all -> actions(vertx, job).map(a -> List.of(two, all, a))))
        .onComplete(ctx.succeeding(res -> ctx.verify(() -> {
          @SuppressWarnings("unchecked")
          List<Command> all = (List<Command>) res.get(1);
          JsonArray recs = (JsonArray) res.get(2);
          assertEquals(List.of("rollback", "restart"), all.stream().map(Command::action).toList());
          assertEquals("best", all.get(1).string("from", ""));
          assertTrue(SIGNER.verify(all.get(1)));
          JsonObject rollback = find(recs, "rollback");
          JsonObject restart = find(recs, "restart");
          assertEquals("not_helped", rollback.getString("verdict"), rollback.encode());
          assertEquals(1, restart.getInteger("rung"));
          assertTrue(restart.getLong("sent_iter") >= 2 + K,
              "restart sent before " + K + " iterations had passed: " + restart.encode());
          assertEquals(2, recs.size(), recs.encode());
          ctx.completeNow();
        })));
  }

  @Test
  void theBudgetStopsCommandsOfTheApiAndTheRules(Vertx vertx, VertxTestContext ctx) {
    String job = "act-budget";
    String auth = "Bearer " + TOKEN;
    String kick = "{\"action\":\"lr_kick\",\"params\":{\"factor\":2,\"iterations\":10}}";
    post(vertx, job, auth, kick)
        .compose(a -> post(vertx, job, auth, kick).map(b -> List.of(a, b)))
        .compose(ab -> post(vertx, job, auth, kick).map(c -> List.of(ab.get(0), ab.get(1), c)))
        .compose(rs -> send(vertx, nanIterations(job, 1, 1)).map(rs))
        .compose(rs -> eventually(vertx, () -> actions(vertx, job),
            a -> find(a, "rollback") != null).map(a -> List.of(rs, a)))
        .compose(x -> metric(vertx, ActionMetrics.NOT_SENT_TOTAL, "reason=\"over_budget\"")
            .map(m -> List.of(x.get(0), x.get(1), m)))
        .onComplete(ctx.succeeding(x -> ctx.verify(() -> {
          @SuppressWarnings("unchecked")
          List<Response> rs = (List<Response>) x.get(0);
          assertEquals(202, rs.get(0).status(), rs.get(0).body());
          assertEquals(202, rs.get(1).status(), rs.get(1).body());
          assertEquals(429, rs.get(2).status(), rs.get(2).body());
          assertTrue(rs.get(2).json().getString("message").contains("budget"), rs.get(2).body());
          JsonObject rollback = find((JsonArray) x.get(1), "rollback");
          assertEquals("not_sent", rollback.getString("status"));
          assertEquals("over_budget", rollback.getString("not_sent_reason"));
          assertTrue((Double) x.get(2) >= 2.0, "over_budget counted " + x.get(2));
          ctx.completeNow();
        })));
  }

  @Test
  void theApiNeedsTheTokenAndAValidBody(Vertx vertx, VertxTestContext ctx) {
    String job = "act-api-refused";
    String good = "{\"action\":\"lr_scale\",\"params\":{\"factor\":0.5}}";
    Checkpoint all = ctx.checkpoint(7);
    post(vertx, job, null, good).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(401, r.status());
      assertEquals("Bearer", r.headers().get("www-authenticate"));
      all.flag();
    })));
    post(vertx, job, "Bearer wrong-token", good).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(401, r.status());
      all.flag();
    })));
    post(vertx, job, "Bearer " + TOKEN, "{\"action\":\"warp_speed\"}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertTrue(r.json().getString("message").contains("unknown action 'warp_speed'"),
              r.body());
          all.flag();
        })));
    post(vertx, job, "Bearer " + TOKEN, "{\"action\":\"lr_kick\",\"params\":{\"factor\":[1]}}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertTrue(r.json().getString("message").contains("param 'factor'"), r.body());
          all.flag();
        })));
    post(vertx, job, "Bearer " + TOKEN, "{\"action\":\"lr_kick\",\"params\":3}")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertTrue(r.json().getString("message").contains("'params'"), r.body());
          all.flag();
        })));
    post(vertx, job, "Bearer " + TOKEN, "not json")
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(400, r.status());
          assertTrue(r.json().getString("message").contains("not a JSON object"), r.body());
          all.flag();
        })));
    String huge = "{\"action\":\"stop\",\"reason\":\"" + "x".repeat(70_000) + "\"}";
    post(vertx, job, "Bearer " + TOKEN, huge).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(413, r.status());
      assertTrue(r.json().getString("message").contains("larger than 65536 bytes"), r.body());
      all.flag();
    })));
  }

  @Test
  void aGoodRequestIsAcceptedAndItsSignedCommandPublished(Vertx vertx, VertxTestContext ctx) {
    String job = "act-api-ok";
    String body = "{\"action\":\"lr_kick\",\"params\":{\"factor\":3,\"iterations\":50},"
        + "\"reason\":\"stuck since lunch\"}";
    post(vertx, job, "Bearer " + TOKEN, body)
        .compose(r -> commands(vertx, job, 1, 20_000).map(cs -> List.of(r, cs)))
        .onComplete(ctx.succeeding(x -> ctx.verify(() -> {
          Response r = (Response) x.get(0);
          @SuppressWarnings("unchecked")
          List<Command> cs = (List<Command>) x.get(1);
          assertEquals(202, r.status(), r.body());
          assertNull(r.headers().get("access-control-allow-origin"), "CORS header present");
          JsonObject command = r.json().getJsonObject("command");
          assertEquals(r.json().getString("id"), command.getString("id"));
          assertEquals(1, cs.size());
          Command c = cs.get(0);
          assertEquals(command.getString("id"), c.id());
          assertEquals("lr_kick", c.action());
          assertEquals(3.0, c.number("factor", 0));
          assertEquals("api: stuck since lunch", c.reason());
          assertTrue(SIGNER.verify(c), "the command does not verify with the shared key");
          assertTrue(!CommandSigner.withKey("another-key-of-16-bytes").verify(c));
          ctx.completeNow();
        })));
  }
}
