package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The default set-up, as the demo uses it from plain Java: no bootstrap servers configured. */
class DaemonEmbeddedKafkaTest {
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void withoutBootstrapServersItRunsAnEmbeddedBrokerWithTheTopics(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("kafka");
    try (Daemon daemon =
        Daemon.start(DaemonConfig.builder().kafkaDir(data).httpPort(0).topicPartitions(1)
            .apiToken("embedded-test-token").build())) {
      assertTrue(daemon.bootstrapServers().startsWith("127.0.0.1:"), daemon.bootstrapServers());
      assertTrue(Files.exists(data.resolve("meta.properties")), "no broker data in " + data);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", daemon.bootstrapServers()))) {
        Set<String> topics = admin.listTopics().names().get(10, TimeUnit.SECONDS);
        assertTrue(topics.containsAll(Topics.ALL), topics.toString());
      }
      HttpResponse<String> health =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(URI.create(daemon.metricsUrl().replace("/metrics",
                  "/healthz"))).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode());
    }
  }

  @Test
  void aFailedStartSaysWhy() {
    // Nothing listens on port 1: creating the topics times out and the start fails as a whole.
    IllegalStateException e =
        assertThrows(IllegalStateException.class,
            () -> Daemon.start(DaemonConfig.builder().bootstrapServers("127.0.0.1:1")
                .kafkaClient("request.timeout.ms", "1000")
                .kafkaClient("default.api.timeout.ms", "2000")
                .httpPort(0).apiToken("failed-start-token").build()));
    assertTrue(e.getMessage().startsWith("daemon start failed"), e.getMessage());
  }
}
