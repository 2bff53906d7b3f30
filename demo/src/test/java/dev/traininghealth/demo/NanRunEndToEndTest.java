package dev.traininghealth.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import dev.traininghealth.zoo.ZooJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path, all real: a DL4J run with the agent, the embedded Kafka broker, the daemon,
 * and its {@code /metrics} scraped over HTTP.
 */
@Tag("e2e")
class NanRunEndToEndTest {

  @Test
  void aNanBatchBecomesAFiringAlertOnMetricsAndTheEventNamesItsIteration(@TempDir Path dir)
      throws Exception {
    DaemonConfig config = DaemonConfig.builder().kafkaDir(dir.resolve("kafka")).httpPort(0)
        .apiToken("e2e-test-token").build();
    try (Daemon daemon = Daemon.start(config)) {
      train(new HealthyMlp(), "e2e-healthy", daemon.bootstrapServers());
      train(new NanBatch(), "e2e-nan", daemon.bootstrapServers());

      MetricsScraper scraper = new MetricsScraper("http://127.0.0.1:" + daemon.httpPort());
      String text =
          scraper.awaitValue(Duration.ofSeconds(60), 1.0, "th_alerts_firing",
              "job", "e2e-nan", "rule", "nonfinite", "severity", "critical");
      Optional<Double> healthy =
          MetricsScraper.value(text, "th_alerts_firing", "job", "e2e-healthy", "rule", "nonfinite");
      assertTrue(healthy.isEmpty() || healthy.get() == 0.0, "healthy job not flagged: " + healthy);

      NonFinite nf = firstNonFinite(daemon.bootstrapServers(), "e2e-nan");
      assertEquals(NanBatch.BAD_BATCH, nf.iter());
      assertEquals(NanBatch.BAD_BATCH, nf.batchIndex());
    }
  }

  private static void train(ZooJob job, String jobId, String bootstrap) {
    AgentConfig agent =
        AgentConfig.builder().job(jobId).bootstrapServers(bootstrap).heartbeatIntervalMs(0).build();
    MultiLayerNetwork net = job.network(42);
    try (HealthListener listener = HealthListener.create(agent)) {
      net.addListeners(listener);
      job.train(net, 42);
    }
  }

  private static NonFinite firstNonFinite(String bootstrap, String job) throws Exception {
    Map<String, Object> c =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    EventCodec codec = new EventCodec();
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("th.events"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        for (var r : consumer.poll(Duration.ofMillis(200))) {
          Event e = codec.decode(r.value());
          seen.add(e.type().wireName());
          if (e instanceof NonFinite nf && nf.job().equals(job)) {
            return nf;
          }
        }
      }
    }
    throw new AssertionError("no nonfinite event for " + job + "; saw " + seen.size() + " events");
  }
}
