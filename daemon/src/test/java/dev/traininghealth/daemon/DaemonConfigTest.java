package dev.traininghealth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DaemonConfigTest {
  @Test
  void rejectsAnUnknownKeyOfItsPrefixNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DaemonConfig.load(Map.of("th.daemon.http.prot", "9000")));
    assertTrue(e.getMessage().contains("th.daemon.http.prot"), e.getMessage());
  }

  @Test
  void rejectsAValueThatDoesNotParseNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DaemonConfig.load(Map.of("th.daemon.topic.partitions", "twelve")));
    assertTrue(e.getMessage().contains("th.daemon.topic.partitions"), e.getMessage());
  }

  @Test
  void rejectsAValueOutOfRangeNamingTheKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DaemonConfig.load(Map.of("th.daemon.http.port", "70000")));
    assertTrue(e.getMessage().contains("th.daemon.http.port"), e.getMessage());
  }

  @Test
  void ignoresKeysOfOtherPrefixesAndKeepsTheDocumentedDefaults() {
    DaemonConfig c = DaemonConfig.load(Map.of("java.version", "17", "th.agent.x", "1"));
    assertTrue(c.embeddedKafka());
    assertEquals(Path.of("th-data", "kafka"), c.kafkaDir());
    assertEquals(8080, c.httpPort());
    assertEquals("127.0.0.1", c.httpHost());
    assertEquals("th-daemon", c.groupId());
    assertEquals(12, c.topicPartitions());
    assertEquals(2000, c.metricsJobsMax());
    assertEquals("", c.apiToken());
  }

  @Test
  void loadsEveryKnownKeyFromProperties() {
    Properties p = new Properties();
    p.setProperty("th.daemon.bootstrap.servers", "broker:9092");
    p.setProperty("th.daemon.http.port", "0");
    p.setProperty("th.daemon.http.host", "0.0.0.0");
    p.setProperty("th.daemon.group.id", "g");
    p.setProperty("th.daemon.topic.partitions", "3");
    p.setProperty("th.daemon.jobs.max", "50");
    p.setProperty("th.daemon.metrics.jobs.max", "5");
    p.setProperty("th.daemon.series.points", "16");
    p.setProperty("th.daemon.tick.ms", "250");
    p.setProperty("th.daemon.api.token", "s3cret");
    p.setProperty("th.daemon.kafka.client.security.protocol", "SSL");
    DaemonConfig c = DaemonConfig.load(p);
    assertEquals("broker:9092", c.bootstrapServers());
    assertEquals(0, c.httpPort());
    assertEquals("0.0.0.0", c.httpHost());
    assertEquals("g", c.groupId());
    assertEquals(3, c.topicPartitions());
    assertEquals(50, c.jobsMax());
    assertEquals(5, c.metricsJobsMax());
    assertEquals(16, c.seriesPoints());
    assertEquals(250, c.tickMs());
    assertEquals("s3cret", c.apiToken());
    assertEquals(Map.of("security.protocol", "SSL"), c.kafkaClient());
    assertEquals("g", KafkaClientConfigs.consumer(c, "b:1").get("group.id"));
    assertEquals("SSL", KafkaClientConfigs.producer(c, "b:1", "x").get("security.protocol"));
  }

  @Test
  void mapsEnvironmentVariablesToKeys() {
    Map<String, String> keys =
        DaemonConfig.keysFromEnvironment(
            Map.of("TH_DAEMON_HTTP_PORT", "9100", "PATH", "/bin", "TH_AGENT_X", "1"));
    assertEquals(Map.of("th.daemon.http.port", "9100"), keys);
    assertEquals(9100, DaemonConfig.load(keys).httpPort());
  }

  @Test
  void builderCopiesRoundTrip() {
    DaemonConfig c = DaemonConfig.builder().httpPort(0).groupId("x").build();
    DaemonConfig d = c.toBuilder().build();
    assertEquals(c.toString(), d.toString());
    assertThrows(IllegalArgumentException.class, () -> c.toBuilder().groupId(" ").build());
  }

  @Test
  void scaleOutKeysHaveDocumentedDefaultsAndParse() {
    DaemonConfig d = DaemonConfig.load(Map.of());
    assertEquals(DaemonConfig.defaultInstanceId(), d.instanceId());
    assertTrue(d.instanceId().endsWith(":" + ProcessHandle.current().pid()), d.instanceId());
    assertEquals(20_000, d.replayRecords());
    assertEquals(3_600_000, d.replayWindowMs());
    assertEquals(1_000, d.commitIntervalMs());
    DaemonConfig c = DaemonConfig.load(Map.of("th.daemon.instance.id", "pod-7",
        "th.daemon.replay.records", "0", "th.daemon.replay.window", "30m",
        "th.daemon.topic.partitions", "48", "th.daemon.commit.interval", "250ms"));
    assertEquals(250, c.commitIntervalMs());
    assertEquals(250, c.toBuilder().build().commitIntervalMs());
    assertEquals(0, DaemonConfig.load(Map.of("th.daemon.commit.interval", "0"))
        .commitIntervalMs());
    assertEquals("pod-7", c.instanceId());
    assertEquals(0, c.replayRecords());
    assertEquals(1_800_000, c.replayWindowMs());
    assertEquals(48, c.topicPartitions());
    assertEquals("pod-7", c.toBuilder().build().instanceId());
    assertThrows(IllegalArgumentException.class,
        () -> DaemonConfig.load(Map.of("th.daemon.replay.records", "-1")));
  }
}
