package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Activations;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Heartbeat;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults inside the agent never reach the training: the probes the norms test does not cover
 * (non-finite scan, activations) and a transport whose {@code offer} throws.
 */
class ProbeFailureTest {
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final EventSink collecting =
      new EventSink() {
        @Override
        public boolean offer(Event e) {
          events.add(e);
          return true;
        }

        @Override
        public long dropped() {
          return 0;
        }

        @Override
        public void close() {}
      };

  @AfterEach
  void noFaults() {
    IterationProbe.faultHook = null;
  }

  private static void failing(String probe) {
    IterationProbe.faultHook = p -> {
      if (p.equals(probe)) {
        throw new IllegalStateException("injected into " + p);
      }
    };
  }

  private List<Heartbeat> degraded() {
    return events.stream().filter(Heartbeat.class::isInstance).map(Heartbeat.class::cast)
        .filter(h -> h.phase().equals("degraded")).toList();
  }

  @Test
  void aFailingNonFiniteScanIsTurnedOffAndReportedWhileTrainingGoesOnUnchanged() {
    NanBatch job = new NanBatch();
    MultiLayerNetwork plain = job.run(4);
    failing(IterationProbe.NONFINITE);
    MultiLayerNetwork net = job.network(4);
    HealthListener listener = HealthListener.create(
        AgentConfig.builder().job("nf").heartbeatIntervalMs(0).build(), collecting);
    net.addListeners(listener);
    job.train(net, 4);
    listener.close(); // the last iteration's event may wait for its step norms until then

    // Bit for bit, NaN included (NDArray.equals says NaN != NaN).
    assertArrayEquals(plain.params().data().asFloat(), net.params().data().asFloat(),
        "training unaffected");
    assertEquals(1, degraded().size(), events.toString());
    assertTrue(degraded().get(0).message().contains("'nonfinite'"), degraded().get(0).message());
    assertTrue(events.stream().noneMatch(NonFinite.class::isInstance),
        "the scan is off, so the NaN batch goes unreported by it");
    long iterations = events.stream().filter(Iteration.class::isInstance).count();
    assertEquals(net.getIterationCount(), iterations, "iterations still reported");
  }

  @Test
  void aFailingActivationsProbeIsTurnedOffAndReportedWhileTrainingGoesOnUnchanged() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(5);
    failing(IterationProbe.ACTIVATIONS);
    MultiLayerNetwork net = job.network(5);
    HealthListener listener = HealthListener.create(
        AgentConfig.builder().job("act").heartbeatIntervalMs(0).activationsEvery(1).build(),
        collecting);
    net.addListeners(listener);
    job.train(net, 5);
    listener.close();

    assertEquals(plain.params(), net.params(), "training unaffected");
    assertEquals(1, degraded().size());
    assertTrue(degraded().get(0).message().contains("'activations'"));
    assertEquals(ProbeGuard.MAX_CONSECUTIVE_FAILURES - 1, degraded().get(0).iter(),
        "turned off at its third failure in a row, iteration 2");
    assertTrue(events.stream().noneMatch(Activations.class::isInstance));
    Iteration last = events.stream().filter(Iteration.class::isInstance)
        .map(Iteration.class::cast).reduce((a, b) -> b).orElseThrow();
    assertTrue(Double.isFinite(last.gradNorm()), "the other probes keep measuring");
  }

  @Test
  void aTransportWhoseOfferThrowsBreaksNeitherTrainingNorClose() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork plain = job.run(6);
    AtomicInteger offers = new AtomicInteger();
    EventSink broken =
        new EventSink() {
          @Override
          public boolean offer(Event e) {
            offers.incrementAndGet();
            throw new IllegalStateException("transport is broken");
          }

          @Override
          public long dropped() {
            return 0;
          }

          @Override
          public void close() {}
        };
    MultiLayerNetwork net = job.network(6);
    HealthListener listener = HealthListener.create(
        AgentConfig.builder().job("broken-sink").heartbeatIntervalMs(0).build(), broken);
    net.addListeners(listener);
    job.train(net, 6);
    assertDoesNotThrow(() -> listener.close(), "close() is what try-with-resources calls");

    assertEquals(plain.params(), net.params(), "training unaffected");
    assertTrue(net.getIterationCount() > 20);
    // The listener gives up after its failure budget instead of failing on every iteration.
    assertTrue(offers.get() <= 11, offers.get() + " offers");
  }
}
