package dev.traininghealth.agent.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.EventType;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.JobFinished;
import dev.traininghealth.zoo.HealthyMlp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a run and comes back: training ends exactly as without
 * the agent, no step waits for the network, what was lost is counted (in {@code dropped()} and in
 * the {@code dropped} field of later events, and visible as a gap in {@code seq}), and events
 * flow again after the restart.
 */
@Tag("e2e")
class BrokerOutageTest {
  private static final long SEED = 3;
  private static final int STOP_AT = 10;
  private static final int RESTART_AT = 40;
  /** Wall time per iteration while paced, so that the outage outlasts the delivery timeout. */
  private static final long PACE_MS = 100;
  private static final int DELIVERY_TIMEOUT_MS = 1_500;

  /**
   * Runs after the agent at each iteration: stops and restarts the broker at fixed iterations
   * and paces the run, and measures each step as the time the training thread spent between
   * two of its calls (the fit step plus the agent's own listener work), the pauses excluded.
   */
  private static final class Pacer extends BaseTrainingListener {
    private final EmbeddedKafka kafka;
    private final double[] stepMs = new double[200];
    private long resumedAt;

    Pacer(EmbeddedKafka kafka) {
      this.kafka = kafka;
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
      long now = System.nanoTime();
      if (resumedAt != 0 && iteration < stepMs.length) {
        stepMs[iteration] = (now - resumedAt) / 1e6;
      }
      if (iteration == STOP_AT) {
        kafka.stop();
      } else if (iteration == RESTART_AT) {
        kafka.restart();
      }
      if (iteration >= STOP_AT) {
        sleep(PACE_MS);
      }
      resumedAt = System.nanoTime();
    }

    double max(int fromInclusive, int toExclusive) {
      return Arrays.stream(stepMs, fromInclusive, toExclusive).max().orElse(Double.NaN);
    }

    double median(int fromInclusive, int toExclusive) {
      double[] s = Arrays.copyOfRange(stepMs, fromInclusive, toExclusive);
      Arrays.sort(s);
      return s[s.length / 2];
    }
  }

  @Test
  void trainingIsUntouchedDropsAreCountedAndEventsFlowAgainAfterTheRestart() throws Exception {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(SEED);
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(1, "th.events");
      AgentConfig config =
          AgentConfig.builder()
              .job("outage")
              .bootstrapServers(kafka.bootstrapServers())
              .heartbeatIntervalMs(0)
              .closeTimeoutMs(10_000)
              // Give up on a record after 1.5 s instead of 2 minutes, so a short outage loses
              // some and the test sees them counted.
              .kafka("delivery.timeout.ms", String.valueOf(DELIVERY_TIMEOUT_MS))
              .kafka("request.timeout.ms", "1000")
              .kafka("reconnect.backoff.max.ms", "200")
              .build();
      MultiLayerNetwork net = job.network(SEED);
      HealthListener listener = HealthListener.create(config);
      Pacer pacer = new Pacer(kafka);
      net.addListeners(listener, pacer);
      job.train(net, SEED);
      int iterations = net.getIterationCount();
      listener.close();

      assertEquals(plain.params(), net.params(), "same parameters as without the agent");

      double before = pacer.median(1, STOP_AT);
      double worstBefore = pacer.max(1, STOP_AT);
      double worstDuring = pacer.max(STOP_AT + 1, RESTART_AT + 1);
      double worstAfter = pacer.max(RESTART_AT + 1, iterations);
      System.out.printf(
          "broker outage: step median before %.2f ms, max before %.2f ms, max during outage"
              + " %.2f ms, max after restart %.2f ms, dropped %d%n",
          before, worstBefore, worstDuring, worstAfter, listener.dropped());
      // A step that waited for the producer would take at least its request timeout (1 s);
      // 500 ms leaves room for a noisy shared machine (a fresh-clone CI run with other builds on
      // the 2 cores saw one step of 245 ms during the outage).
      assertTrue(worstDuring < 500, "a step took " + worstDuring + " ms during the outage");

      List<Event> events = consumeUntilFinished(kafka);
      JobFinished finished = (JobFinished) events.get(events.size() - 1);
      long dropped = listener.dropped();
      assertEquals(dropped, finished.dropped(), "job_finished carries the final count");

      long[] seqs = events.stream().mapToLong(e -> e.header().seq()).toArray();
      for (int i = 1; i < seqs.length; i++) {
        assertTrue(seqs[i] > seqs[i - 1], "seq rises with no duplicate: " + Arrays.toString(seqs));
      }
      long missing = finished.header().seq() + 1 - seqs.length;
      System.out.printf("broker outage: %d events delivered, %d seq missing, %d counted as dropped%n",
          seqs.length, missing, dropped);
      // Every event that did not arrive was counted; none is counted that arrived twice.
      assertTrue(missing <= dropped, missing + " missing, " + dropped + " counted as dropped");
      List<Iteration> afterRestart = events.stream()
          .filter(e -> e.type() == EventType.ITERATION && e.iter() > RESTART_AT)
          .map(Iteration.class::cast).toList();
      assertTrue(!afterRestart.isEmpty(), "reconnected: iterations after the restart arrived");
      // Whether the producer gives records up during the outage depends on timing it does not
      // control (measured here: 0 to 43 of ~63 over runs; 0 twice on a loaded CI machine, where
      // the records waited in the producer and were all delivered after the restart). When it
      // does, the later events must say so. The count is an upper bound of what is missing (the
      // assertion above), not always equal: a record given up while its request was in flight
      // may still have been written (Kafka's delivery timeout: "may or may not"), as one CI run
      // showed (5 counted, 0 missing).
      if (dropped > 0) {
        assertTrue(afterRestart.get(afterRestart.size() - 1).dropped() > 0,
            "later events report the drops");
      } else {
        assertEquals(0, missing, "nothing counted as dropped, so nothing may be missing");
      }
    }
  }

  private static List<Event> consumeUntilFinished(EmbeddedKafka kafka) throws Exception {
    Map<String, Object> c =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG, "outage-test",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    EventCodec codec = new EventCodec();
    List<Event> got = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of("th.events"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline
          && (got.isEmpty() || got.get(got.size() - 1).type() != EventType.JOB_FINISHED)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          got.add(codec.decode(r.value()));
        }
      }
    }
    assertTrue(!got.isEmpty() && got.get(got.size() - 1).type() == EventType.JOB_FINISHED,
        "job_finished arrived: " + got.size() + " events");
    return got;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
