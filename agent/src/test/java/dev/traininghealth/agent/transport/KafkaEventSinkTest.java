package dev.traininghealth.agent.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Header;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class KafkaEventSinkTest {

  @Test
  void aRealRunReachesKafkaKeyedByJob() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(3, "th.events");
      AgentConfig config =
          AgentConfig.builder()
              .job("nan-job")
              .bootstrapServers(kafka.bootstrapServers())
              .heartbeatIntervalMs(0)
              .build();
      NanBatch job = new NanBatch();
      MultiLayerNetwork net = job.network(3);
      HealthListener listener = HealthListener.create(config);
      net.addListeners(listener);
      job.train(net, 3);
      listener.close();
      assertEquals(0, listener.dropped());

      List<ConsumerRecord<byte[], byte[]>> records = consume(kafka, net.getIterationCount() + 3);
      EventCodec codec = new EventCodec();
      List<Event> events = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : records) {
        assertEquals("nan-job", new String(r.key(), StandardCharsets.UTF_8));
        events.add(codec.decode(r.value()));
      }
      assertEquals(EventType.JOB_STARTED, events.get(0).type());
      assertEquals(EventType.JOB_FINISHED, events.get(events.size() - 1).type());
      NonFinite nf =
          (NonFinite)
              events.stream().filter(e -> e.type() == EventType.NONFINITE).findFirst().orElseThrow();
      assertEquals(NanBatch.BAD_BATCH, nf.iter());
    }
  }

  @Test
  void trainingGoesOnAndCountsDropsWhenNoBrokerAnswers() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AgentConfig config =
        AgentConfig.builder()
            .job("orphan")
            .bootstrapServers("127.0.0.1:" + deadPort)
            .queueCapacity(4)
            .closeTimeoutMs(200)
            .heartbeatIntervalMs(0)
            .kafka("max.block.ms", "500")
            .build();
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(4);
    MultiLayerNetwork net = job.network(4);
    HealthListener listener = HealthListener.create(config);
    net.addListeners(listener);
    long t0 = System.nanoTime();
    job.train(net, 4);
    long trainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    listener.close();

    assertEquals(plain.params(), net.params(), "same trajectory with the broker away");
    assertTrue(listener.dropped() > 0, "drops are counted: " + listener.dropped());
    assertTrue(trainMs < 20_000, "training was not held up by the missing broker: " + trainMs);
  }

  @Test
  void aZeroCloseTimeoutDoesNotWaitForABrokerThatNeverAnswers() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AgentConfig config =
        AgentConfig.builder().job("orphan-exit").bootstrapServers("127.0.0.1:" + deadPort)
            .closeTimeoutMs(0).heartbeatIntervalMs(0).build();
    HealthListener listener = HealthListener.create(config);
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(4);
    net.addListeners(listener);
    job.train(net, 4);
    // close() in a thread of its own, so that a close that hangs fails the test, not the build.
    Thread closer = new Thread(listener::close, "closer");
    long t0 = System.nanoTime();
    closer.start();
    closer.join(5_000);
    long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(!closer.isAlive(), "close() with close.timeout.ms=0 still waiting after " + closeMs
        + " ms");
  }

  @Test
  void aLoneEventGoesOutAtOnceAndABurstWholeInOrderUpToClose() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "th.events");
      KafkaEventSink sink = KafkaEventSink.create(kafka.bootstrapServers(), "th.events", 10_000,
          10_000, Map.of());
      // The sender sleeps until the first event after a quiet spell: a lone one is not left
      // waiting for company.
      assertTrue(sink.offer(Heartbeat.of(Header.of("burst", "run", 0, 0, 0, 0, null), "train", 0)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sink.sent() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(1, sink.sent(), "a lone event was not sent");
      // A burst, the last event offered right before close: all of it, in order.
      int burst = 3_000;
      for (int i = 1; i <= burst; i++) {
        assertTrue(sink.offer(
            Heartbeat.of(Header.of("burst", "run", i, i, i, 0, null), "train", 0)));
      }
      sink.close();
      assertEquals(0, sink.dropped());
      assertEquals(burst + 1, sink.sent());
      List<ConsumerRecord<byte[], byte[]>> records = consume(kafka, burst + 1);
      EventCodec codec = new EventCodec();
      for (int i = 0; i < records.size(); i++) {
        assertEquals(i, codec.decode(records.get(i).value()).header().seq());
      }
      assertEquals(burst + 1, records.size());
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(EmbeddedKafka kafka, int atLeast) {
    Map<String, Object> c =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "test",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("th.events"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (got.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
    }
    // One key, so one partition: the order is the order they were sent in.
    return got;
  }
}
