package dev.traininghealth.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.daemon.Daemon;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Iteration;
import io.prometheus.client.Collector;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Offsets of {@code th.events} are committed once per commit interval while records flow, not
 * after every poll; they still catch up when the flow stops, and a graceful stop commits all
 * that was evaluated whatever the interval.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OffsetCommitTest {
  private static final EventCodec CODEC = new EventCodec();
  private static final int EVENTS = 200;
  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, byte[]> producer;
  private static Admin admin;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer());
    admin = Admin.create(Map.<String, Object>of("bootstrap.servers", kafka.bootstrapServers()));
  }

  @AfterAll
  static void stop() {
    if (admin != null) {
      admin.close();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void commitsWhatWasEvaluatedWithinTheIntervalAfterTheFlowStops() throws Exception {
    String group = "commit-interval-short";
    try (Daemon daemon = Daemon.start(config(group, 300))) {
      long end = produce("short");
      awaitEvaluated(daemon, end); // a new group reads the topic from its start
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (committed(group) < end && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertEquals(end, committed(group), "the evaluated records' offsets were not committed");
    }
  }

  @Test
  void commitsNoMoreOftenThanTheIntervalButAllOnAGracefulStop() throws Exception {
    String group = "commit-interval-long";
    long end;
    try (Daemon daemon = Daemon.start(config(group, 3_600_000))) {
      end = produce("long");
      awaitEvaluated(daemon, end);
      Thread.sleep(1_500); // several empty polls, each of which settles
      assertTrue(committed(group) < end,
          "committed " + committed(group) + " of " + end + " within an interval of an hour");
    }
    assertEquals(end, committed(group), "a graceful stop commits what was evaluated");
  }

  private static DaemonConfig config(String group, long commitIntervalMs) {
    return DaemonConfig.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .groupId(group)
        .httpPort(0)
        .topicPartitions(2)
        .apiToken("offset-commit-test-token")
        .commitIntervalMs(commitIntervalMs)
        .build();
  }

  /** Sends {@link #EVENTS} iterations of two jobs; returns the sum of the partitions' ends. */
  private static long produce(String prefix) throws Exception {
    for (int i = 0; i < EVENTS; i++) {
      String job = prefix + "-" + (i % 2);
      Iteration it = Iteration.builder(
              Header.of(job, "run-1", i, System.currentTimeMillis(), i / 2, 0, null))
          .loss(1.0 / (1 + i)).gradNorm(1).learningRate(0.01).batchSize(8).build();
      var sent = producer.send(new ProducerRecord<>(Topics.EVENTS, job, CODEC.encode(it)));
      if (i < 2) {
        // Each job's first record alone: the daemon has only just created th.events, and a
        // batch sent before the broker opened its partition, retried after a later batch was
        // appended, fails forever as out of order (the idempotent producer's known race).
        sent.get(30, TimeUnit.SECONDS);
      }
    }
    producer.flush();
    return ends();
  }

  private static long ends() throws Exception {
    var partitions = admin.describeTopics(java.util.List.of(Topics.EVENTS)).allTopicNames()
        .get(10, TimeUnit.SECONDS).get(Topics.EVENTS).partitions();
    Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> q =
        new java.util.HashMap<>();
    partitions.forEach(p -> q.put(new org.apache.kafka.common.TopicPartition(Topics.EVENTS,
        p.partition()), org.apache.kafka.clients.admin.OffsetSpec.latest()));
    long sum = 0;
    for (var r : admin.listOffsets(q).all().get(10, TimeUnit.SECONDS).values()) {
      sum += r.offset();
    }
    return sum;
  }

  private static long committed(String group) throws Exception {
    long sum = 0;
    for (Map.Entry<org.apache.kafka.common.TopicPartition, OffsetAndMetadata> e : admin
        .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
        .get(10, TimeUnit.SECONDS).entrySet()) {
      if (e.getKey().topic().equals(Topics.EVENTS) && e.getValue() != null) {
        sum += e.getValue().offset();
      }
    }
    return sum;
  }

  private static void awaitEvaluated(Daemon daemon, double atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    double n = 0;
    while (System.nanoTime() < deadline) {
      n = 0;
      for (Collector.MetricFamilySamples f : Collections.list(daemon.registry()
          .filteredMetricFamilySamples(Set.of("th_events_evaluated_total")))) {
        for (Collector.MetricFamilySamples.Sample s : f.samples) {
          if (s.name.equals("th_events_evaluated_total")) {
            n += s.value;
          }
        }
      }
      if (n >= atLeast) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("evaluated " + n + " of " + atLeast + " events");
  }
}
