package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon is killed hard (SIGKILL, in a JVM of its own) while one job's alert is pending and
 * another's is firing with the first rung of its ladder sent; a new daemon takes the partitions
 * over. Across both, each alert goes pending and firing exactly once, at the iteration the rules
 * say, and each rung is sent once: the new daemon rebuilt the jobs' state from the replayed
 * events and knew what the first had already published.
 */
@Tag("e2e")
class DaemonCrashE2ETest {
  private static final EventCodec CODEC = new EventCodec();
  private static final String RULE = "crash-nan";
  // NaN losses make the nonfinite detector active; held 30 iterations it fires with rung 0;
  // 40 iterations later (rung 0 judged not to have helped after 10) rung 1 follows.
  private static final String RULES = """
      - name: crash-nan
        detector: nonfinite
        severity: warning
        for: 30 iterations
        actions:
          - { do: checkpoint }
          - { do: swa_start }
        escalate_after: 40 iterations
        cooldown: 1000 iterations
      """;
  private static final Pattern RUNG = Pattern.compile("^rule (\\S+) rung (\\d+) ");

  @TempDir Path dir;

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void alertFiresOnceAndEachRungIsSentOnceAcrossAHardKill() throws Exception {
    long t0 = System.currentTimeMillis();
    Path rules = Files.createDirectories(dir.resolve("rules"));
    Files.writeString(rules.resolve("crash.yaml"), RULES);
    // The broker and the first daemon's JVM start side by side: the daemon's Kafka clients wait
    // for the broker. It saves seconds of a test that is mostly start-up.
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    CompletableFuture<EmbeddedKafka> starting =
        CompletableFuture.supplyAsync(() -> EmbeddedKafka.start(dir.resolve("kafka"), port));
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put(DaemonConfig.BOOTSTRAP_SERVERS, "127.0.0.1:" + port);
    settings.put(DaemonConfig.HTTP_PORT, "0");
    settings.put(DaemonConfig.API_TOKEN, "test-token");
    settings.put(DaemonConfig.COMMANDS_KEY, "a-commands-key-of-32-bytes-length");
    settings.put(DaemonConfig.TOPIC_PARTITIONS, "2");
    settings.put(DaemonConfig.ACTIONS_VERIFY_ITERATIONS, "10");
    settings.put(DaemonConfig.RULES_DIRS, rules.toString());
    // The killed daemon's partitions move once the group gives it up: after this long.
    settings.put(DaemonConfig.KAFKA_CLIENT_PREFIX + "session.timeout.ms", "6000");
    settings.put(DaemonConfig.KAFKA_CLIENT_PREFIX + "heartbeat.interval.ms", "1000");
    DaemonProcess first = DaemonProcess.start("daemon-1",
        with(settings, DaemonConfig.INSTANCE_ID, "d1"), dir.resolve("d1.log"));
    try (EmbeddedKafka kafka = starting.get(60, TimeUnit.SECONDS)) {
      long kafkaUp = System.currentTimeMillis();
      Properties pp = new Properties();
      pp.put("bootstrap.servers", kafka.bootstrapServers());
      pp.put("acks", "all");
      try (first;
          KafkaProducer<String, byte[]> agent =
              new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
          Published out = new Published(kafka.bootstrapServers())) {
        first.awaitUp(30_000);
        long firstUp = System.currentTimeMillis();
        // "nan-late" turns NaN at iteration 20 (pending at 20, firing at 50 with rung 0, rung 1
        // at 90); "nan-early" is NaN from 0 (pending at 0, firing at 30 with rung 0, rung 1 at
        // 70). The first daemon sees iterations 0 to 40.
        sendIterations(agent, 0, 40);
        out.await(r -> isAlert(r, "nan-late", "pending"), 15_000);
        out.await(r -> isAlert(r, "nan-early", "firing"), 15_000);
        out.await(r -> isCommand(r, "nan-early", 0), 15_000);
        first.kill();
        long killedAt = System.currentTimeMillis();

        // The jobs go on while no daemon watches them.
        sendIterations(agent, 41, 100);
        try (DaemonProcess second = DaemonProcess.start("daemon-2",
            with(settings, DaemonConfig.INSTANCE_ID, "d2"), dir.resolve("d2.log"))) {
          second.awaitUp(30_000);
          long secondUp = System.currentTimeMillis();
          out.await(r -> isAlert(r, "nan-late", "firing"), 30_000);
          // The new daemon took 41 to 100 in one go, so it judges rung 0 of nan-late (sent as
          // of iteration 100) on the iterations after.
          sendIterations(agent, 101, 115);
          out.await(r -> isCommand(r, "nan-early", 1), 30_000);
          out.await(r -> isCommand(r, "nan-late", 1), 30_000);
          long recoveredMs = System.currentTimeMillis() - killedAt;
          Thread.sleep(1_500); // anything doubled would come now
          out.poll();
          String log = second.log();
          assertTrue(log.contains("replaying up to"), log);

          // Each alert went pending once and firing once, at the iteration the rules say.
          assertEquals(List.of("inactive>pending@20", "pending>firing@50", "firing>firing@50"),
              out.transitions("nan-late", RULE), log);
          assertEquals(List.of("inactive>pending@0", "pending>firing@30", "firing>firing@30"),
              out.transitions("nan-early", RULE), log);
          // Each rung went out once; the second daemon sent only rung 1 of nan-early and both
          // daemons agree on the firing episode, so the ids are those of one episode.
          assertEquals(Map.of("nan-late/0", 1, "nan-late/1", 1, "nan-early/0", 1,
              "nan-early/1", 1),
              out.rungCounts(RULE), out.commands.toString());
          // No rule of the default set published a change twice either.
          assertEquals(out.alertKeys().size(), new java.util.HashSet<>(out.alertKeys()).size(),
              out.alertKeys().toString());
          System.out.printf("daemon crash: Kafka up after %d ms, first daemon up after %d ms, killed at %d ms; second"
              + " up %d ms after the kill; it had published what was due %d ms after the kill;"
              + " test %d ms%n", kafkaUp - t0, firstUp - t0, killedAt - t0, secondUp - killedAt, recoveredMs,
              System.currentTimeMillis() - t0);
        }
      }
    }
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new LinkedHashMap<>(m);
    out.put(k, v);
    return out;
  }

  private static void sendIterations(KafkaProducer<String, byte[]> agent, int from, int to)
      throws Exception {
    for (int i = from; i <= to; i++) {
      send(agent, "nan-late", i, i < 20 ? 1.0 : Double.NaN);
      send(agent, "nan-early", i, Double.NaN);
    }
    agent.flush();
  }

  private static void send(KafkaProducer<String, byte[]> agent, String job, int iter,
      double loss) throws Exception {
    Iteration it = Iteration.builder(Header.of(job, "run-1", iter, System.currentTimeMillis(),
        iter, 0, null)).loss(loss).build();
    agent.send(new ProducerRecord<>("th.events", job, CODEC.encode(it)));
  }

  private static boolean isAlert(JsonObject r, String job, String to) {
    return "alert".equals(r.getString("type")) && job.equals(r.getString("job"))
        && RULE.equals(r.getString("rule")) && to.equals(r.getString("to"));
  }

  private static boolean isCommand(JsonObject r, String job, int rung) {
    Matcher m = RUNG.matcher(r.getString("reason", ""));
    return r.containsKey("sig") && job.equals(r.getString("job")) && m.find()
        && m.group(1).equals(RULE) && Integer.parseInt(m.group(2)) == rung;
  }

  /** Everything on th.alerts and th.commands, read from the beginning as it comes. */
  private static final class Published implements AutoCloseable {
    final List<JsonObject> alerts = new ArrayList<>();
    final List<JsonObject> commands = new ArrayList<>();
    private final KafkaConsumer<String, String> consumer;

    Published(String bootstrapServers) {
      Properties p = new Properties();
      p.put("bootstrap.servers", bootstrapServers);
      p.put("enable.auto.commit", "false");
      consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }

    void poll() {
      if (consumer.assignment().isEmpty()) {
        List<TopicPartition> tps = new ArrayList<>();
        for (String t : List.of(Topics.ALERTS, Topics.COMMANDS)) {
          for (PartitionInfo i : consumer.partitionsFor(t, Duration.ofSeconds(10))) {
            tps.add(new TopicPartition(t, i.partition()));
          }
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
      }
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
        JsonObject j = new JsonObject(r.value());
        (r.topic().equals(Topics.ALERTS) ? alerts : commands).add(j);
      }
    }

    void await(Predicate<JsonObject> what, long timeoutMs) {
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (System.currentTimeMillis() < deadline) {
        poll();
        if (alerts.stream().anyMatch(what) || commands.stream().anyMatch(what)) {
          return;
        }
      }
      throw new AssertionError("not published in " + timeoutMs + " ms; alerts " + alerts
          + ", commands " + commands);
    }

    List<String> transitions(String job, String rule) {
      List<String> out = new ArrayList<>();
      for (JsonObject a : alerts) {
        if (job.equals(a.getString("job")) && rule.equals(a.getString("rule"))) {
          out.add(a.getString("from") + ">" + a.getString("to") + "@" + a.getLong("since_iter"));
        }
      }
      return out;
    }

    List<String> alertKeys() {
      List<String> out = new ArrayList<>();
      for (JsonObject a : alerts) {
        out.add(a.getString("job") + "/" + a.getString("rule") + "/" + a.getString("from") + ">"
            + a.getString("to") + "@" + a.getLong("since_iter") + a.getJsonArray("actions"));
      }
      return out;
    }

    Map<String, Integer> rungCounts(String rule) {
      Map<String, Integer> out = new HashMap<>();
      for (JsonObject c : commands) {
        Matcher m = RUNG.matcher(c.getString("reason", ""));
        if (m.find() && m.group(1).equals(rule)) {
          out.merge(c.getString("job") + "/" + m.group(2), 1, Integer::sum);
        }
      }
      return out;
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
