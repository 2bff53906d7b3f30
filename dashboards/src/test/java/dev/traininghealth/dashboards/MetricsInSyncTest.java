package dev.traininghealth.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric the dashboard and the alert rules read is one a running daemon exports: a real
 * daemon (embedded broker) is fed events that make its per-job series exist, and scraped.
 * Renaming a metric in the daemon without updating dashboards/ fails here.
 */
class MetricsInSyncTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
  private static final EventCodec CODEC = new EventCodec();

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyMetricTheDashboardAndRulesUseIsExportedByARunningDaemon(@TempDir Path dir)
      throws Exception {
    Map<String, Set<String>> used = Queries.metricsUsed();
    assertTrue(used.size() >= 8, "suspiciously few metrics found: " + used.keySet());

    DaemonConfig config = DaemonConfig.builder().kafkaDir(dir.resolve("kafka")).httpPort(0).apiToken("test-token")
        .commandsKey("metrics-in-sync-test-key") // the NaN's rollback is then sent and counted
        .topicPartitions(1).tickMs(100).build();
    try (Daemon daemon = Daemon.start(config)) {
      feed(daemon.bootstrapServers());
      Set<String> exported = Set.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        exported = sampleNames(scrape(daemon.metricsUrl()));
        if (exported.containsAll(used.keySet())) {
          break;
        }
        Thread.sleep(200);
      }
      Map<String, Set<String>> missing = new TreeMap<>(used);
      missing.keySet().removeAll(exported);
      assertEquals(Map.of(), missing,
          "metrics used by dashboards/ (where) but not exported by the daemon");
    }
  }

  /** Events that make every per-job series exist: iterations, curvature, a NaN, an action. */
  private static void feed(String bootstrapServers) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      String job = "sync-1";
      long seq = 0;
      for (int i = 1; i <= 5; i++) {
        send(producer, Iteration.builder(header(job, ++seq, i)).loss(1.0 / i).gradNorm(2)
            .learningRate(0.01).batchSize(8).dropped(i).build());
      }
      send(producer, Curvature.builder(header(job, ++seq, 5)).lambdaMax(150).lambdaMin(-3)
          .iterations(10).build());
      send(producer, Iteration.builder(header(job, ++seq, 6)).loss(Double.NaN).gradNorm(2)
          .learningRate(0.01).batchSize(8).build());
      send(producer, ActionResult.of(header(job, ++seq, 6), "cmd-1", "lr_kick",
          ActionResult.Outcome.APPLIED, ""));
      producer.send(new ProducerRecord<>(Topics.EVENTS, job,
          "{not json".getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
    }
  }

  private static Header header(String job, long seq, long iter) {
    return Header.of(job, "run-1", seq, System.currentTimeMillis(), iter, 0, null);
  }

  private static void send(KafkaProducer<String, byte[]> producer, Event e) throws Exception {
    producer.send(new ProducerRecord<>(Topics.EVENTS, e.job(), CODEC.encode(e)))
        .get(10, TimeUnit.SECONDS);
  }

  private static String scrape(String url) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return client.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static Set<String> sampleNames(String exposition) {
    Set<String> out = new TreeSet<>();
    for (String line : exposition.split("\n")) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }
}
