package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule directories, hot reload, {@code /api/rules}, {@code /api/alerts} and the seq checks,
 * against a real broker and a started daemon that polls its rule directory every 100 ms.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RuleReloadAndAlertsApiTest {
  private static final EventCodec CODEC = new EventCodec();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path rulesDir;
  private static EmbeddedKafka kafka;
  private static Daemon daemon;
  private static KafkaProducer<String, byte[]> producer;

  @BeforeAll
  static void start() throws Exception {
    Files.writeString(rulesDir.resolve("team.yaml"),
        "- name: team-nan\n  detector: nonfinite\n  severity: warning\n");
    kafka = EmbeddedKafka.start();
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    daemon = Daemon.start(DaemonConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .httpPort(0)
        .apiToken("test-token")
        .topicPartitions(1)
        .tickMs(100)
        .rulesDirs(java.util.List.of(rulesDir))
        .rulesPollMs(100)
        .build());
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

  private static void send(Event e) throws Exception {
    producer.send(new ProducerRecord<>("th.events", e.job(), CODEC.encode(e)))
        .get(10, TimeUnit.SECONDS);
  }

  private static Iteration iteration(String job, String run, long seq, double loss) {
    return Iteration.builder(Header.of(job, run, seq, System.currentTimeMillis(), seq, 0, null))
        .loss(loss).build();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + daemon.httpPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject getJson(String path, Predicate<JsonObject> done) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(path);
      if (r.statusCode() == 200) {
        last = new JsonObject(r.body());
        if (done.test(last)) {
          return last;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no answer of " + path + " satisfied the test; last: " + last);
  }

  private static JsonObject rule(JsonObject rules, String name) {
    for (Object o : rules.getJsonArray("rules")) {
      JsonObject r = (JsonObject) o;
      if (r.getString("name").equals(name)) {
        return r;
      }
    }
    return null;
  }

  private static void write(String file, String yaml) throws Exception {
    Path tmp = rulesDir.resolve(file + ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, rulesDir.resolve(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void loadsTheDirectoryOnTopOfTheDefaultsRejectsABadFileAndReloadsAFixedOne() throws Exception {
    JsonObject rules = getJson("/api/rules", r -> rule(r, "team-nan") != null);
    assertEquals("directory", rule(rules, "team-nan").getString("origin"));
    assertEquals("default", rule(rules, "plateau").getString("origin"));
    assertTrue(rule(rules, "plateau").getJsonObject("health").getBoolean("healthy"));
    int count = rules.getInteger("count");
    assertTrue(rules.getJsonObject("reload").getJsonObject("last_reload").getBoolean("ok"));

    // A job fires the directory's rule, which the next good reload changes: its alert retires.
    send(iteration("reload-job", "r", 0, Double.NaN));
    getJson("/api/alerts?state=firing", a -> a.getJsonArray("alerts").stream()
        .anyMatch(o -> ((JsonObject) o).getString("rule").equals("team-nan")));

    write("bad.yaml", "- name: broken\n  detector: plato\n");
    JsonObject rejected = getJson("/api/rules", r -> {
      JsonObject last = r.getJsonObject("reload").getJsonObject("last_reload");
      return last != null && !last.getBoolean("ok");
    });
    JsonArray errors = rejected.getJsonObject("reload").getJsonObject("last_reload")
        .getJsonArray("errors");
    assertEquals(1, errors.size(), errors.encode());
    JsonObject err = errors.getJsonObject(0);
    assertTrue(err.getString("file").endsWith("bad.yaml"), err.encode());
    assertEquals(2, err.getInteger("line"));
    assertEquals(13, err.getInteger("column"));
    assertTrue(err.getString("message").contains("unknown detector 'plato'"), err.encode());
    assertEquals(count, rejected.getInteger("count"), "the old rules stay");
    assertTrue(new Scrape(get("/metrics").body()).value("th_rule_reloads_total",
        Map.of("result", "failure")) >= 1.0);

    write("bad.yaml", "- name: spiky\n  detector: loss_spike\n");
    write("team.yaml", "- name: team-nan\n  detector: nonfinite\n  severity: critical\n");
    JsonObject fixed = getJson("/api/rules", r -> rule(r, "spiky") != null
        && "critical".equals(rule(r, "team-nan").getString("severity")));
    assertEquals(count + 1, fixed.getInteger("count"));
    Scrape s = new Scrape(get("/metrics").body());
    assertEquals((double) count + 1, s.value("th_rules_loaded", Map.of()));
    JsonObject alerts = getJson("/api/alerts", a -> true);
    assertFalse(alerts.getJsonArray("alerts").stream().anyMatch(o ->
        ((JsonObject) o).getString("rule").equals("team-nan")
            && ((JsonObject) o).getString("job").equals("reload-job")),
        "the changed rule's alert was retired: " + alerts.encode());
  }

  @Test
  void alertsAreFilteredByStateAndSeverityAndBadFiltersAreJsonErrors() throws Exception {
    send(iteration("alerts-job", "r", 0, Double.NaN));
    JsonObject firing = getJson("/api/alerts?state=firing&severity=critical",
        a -> a.getJsonArray("alerts").stream()
            .anyMatch(o -> ((JsonObject) o).getString("job").equals("alerts-job")));
    for (Object o : firing.getJsonArray("alerts")) {
      assertEquals("firing", ((JsonObject) o).getString("state"));
      assertEquals("critical", ((JsonObject) o).getString("severity"));
    }
    JsonObject info = getJson("/api/alerts?severity=info", a -> true);
    assertFalse(info.getJsonArray("alerts").stream()
        .anyMatch(o -> ((JsonObject) o).getString("job").equals("alerts-job")));

    HttpResponse<String> bad = get("/api/alerts?state=burning");
    assertEquals(400, bad.statusCode());
    assertTrue(new JsonObject(bad.body()).getString("message").contains("state must be one of"));
    assertEquals(405, HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + daemon.httpPort() + "/api/rules")).DELETE().build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  @Test
  void dropsDuplicateSeqsAndCountsGapsPerRun() throws Exception {
    send(iteration("seq-job", "a", 0, 1.0));
    send(iteration("seq-job", "a", 1, 0.9));
    send(iteration("seq-job", "a", 1, 0.8)); // redelivered
    send(iteration("seq-job", "b", 0, 0.7)); // another worker's run
    send(iteration("seq-job", "a", 5, 0.6)); // 2, 3, 4 lost
    JsonObject job = getJson("/api/jobs/seq-job", j -> j.getLong("events") == 4);
    assertEquals(1, job.getLong("duplicate_events"));
    assertEquals(1, job.getLong("seq_gaps"));
    assertEquals(3, job.getLong("missing_events"));
    assertEquals(0.6, job.getDouble("loss"));
    Scrape s = new Scrape(get("/metrics").body());
    assertEquals(1.0, s.value("th_event_seq_gaps_total", Map.of("job", "seq-job")));
    assertEquals(1.0, s.value("th_event_duplicates_total", Map.of("job", "seq-job")));
  }
}
