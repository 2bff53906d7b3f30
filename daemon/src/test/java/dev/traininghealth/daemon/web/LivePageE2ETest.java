package dev.traininghealth.daemon.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.rules.event.Curvature;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live page in headless Chromium against a running daemon (embedded broker): it lists a
 * job fed through Kafka, draws its series, and takes new events without a reload. Leaves a
 * screenshot at {@code daemon/target/e2e/live-page.png}.
 */
@Tag("e2e")
class LivePageE2ETest {
  private static final EventCodec CODEC = new EventCodec();
  private static final String JOB = "e2e-job";

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void pageShowsTheJobAndUpdatesLiveWhenEventsCome(@TempDir Path dir) throws Exception {
    Chromium.require(); // skip before starting a broker for nothing
    DaemonConfig config = DaemonConfig.builder().kafkaDir(dir.resolve("kafka")).httpPort(0).apiToken("test-token")
        .commandsKey("live-page-test-command-key").topicPartitions(1).tickMs(200).build();
    try (Daemon daemon = Daemon.start(config);
        KafkaProducer<String, byte[]> producer = producer(daemon.bootstrapServers());
        Chromium chromium = Chromium.launch(1280, 1000);
        Cdp page = chromium.page()) {
      for (int i = 1; i <= 5; i++) {
        send(producer, iteration(i, 2.0 / i));
      }
      send(producer, Curvature.builder(header(5)).lambdaMax(120).lambdaMin(-2).iterations(10)
          .build());
      page.call("Page.enable", new JsonObject());
      page.call("Page.navigate", new JsonObject()
          .put("url", "http://127.0.0.1:" + daemon.httpPort() + "/#" + JOB));

      page.await("!!document.querySelector('#jobs tr[data-job=\"" + JOB + "\"]')",
          Boolean.TRUE::equals, 30_000);
      page.await("document.getElementById('v-iteration').textContent", "5"::equals, 15_000);
      assertEquals("5", page.eval("document.getElementById('chart-loss').dataset.points"));
      assertEquals("live", page.eval("document.getElementById('conn').textContent"));
      page.eval("window.__sameDocument = 42");

      send(producer, iteration(6, 0.25));
      send(producer, iteration(7, Double.NaN));
      page.await("document.getElementById('v-iteration').textContent", "7"::equals, 15_000);
      page.await("document.getElementById('chart-loss').dataset.points", "6"::equals, 5_000);
      page.await("document.getElementById('timeline').textContent.includes('nonfinite')",
          Boolean.TRUE::equals, 10_000);
      // The nonfinite rule's first rung (rollback) is sent, and the page lists it with its state.
      page.await("document.getElementById('actions').hidden === false"
          + " && document.querySelector('#actions tbody').textContent.includes('rollback')",
          Boolean.TRUE::equals, 10_000);
      assertTrue(((String) page.eval("document.querySelector('#actions tbody').textContent"))
          .contains("nonfinite #0"));
      assertEquals(42, ((Number) page.eval("window.__sameDocument")).intValue(),
          "the page was reloaded");
      assertEquals("NaN", page.eval("document.getElementById('v-loss').textContent"));
      Object curvature = page.eval("document.getElementById('chart-curv').dataset.points");
      assertTrue(Integer.parseInt((String) curvature) >= 2, "λ points: " + curvature);

      String png = page.call("Page.captureScreenshot", new JsonObject().put("format", "png"))
          .getString("data");
      Path out = Path.of("target", "e2e", "live-page.png");
      Files.createDirectories(out.getParent());
      Files.write(out, Base64.getDecoder().decode(png));
      assertTrue(Files.size(out) > 10_000, "screenshot suspiciously small");
      System.out.println("screenshot: " + out.toAbsolutePath());
    }
  }

  private static KafkaProducer<String, byte[]> producer(String bootstrapServers) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrapServers);
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  // The daemon drops an event whose seq its run already sent, so every event gets the next one.
  private static final java.util.concurrent.atomic.AtomicLong SEQ =
      new java.util.concurrent.atomic.AtomicLong();

  private static Header header(long iter) {
    return Header.of(JOB, "run-e2e-0001", SEQ.incrementAndGet(), System.currentTimeMillis(), iter,
        0, null);
  }

  private static Iteration iteration(long iter, double loss) {
    return Iteration.builder(header(iter)).loss(loss).gradNorm(1.0 + iter / 10.0)
        .learningRate(0.01).batchSize(16).build();
  }

  private static void send(KafkaProducer<String, byte[]> producer, Event e) throws Exception {
    producer.send(new ProducerRecord<>(Topics.EVENTS, e.job(), CODEC.encode(e)))
        .get(10, TimeUnit.SECONDS);
  }
}
