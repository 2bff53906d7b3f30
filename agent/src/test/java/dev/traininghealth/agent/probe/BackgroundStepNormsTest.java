package dev.traininghealth.agent.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.BoundaryTask;
import dev.traininghealth.agent.CollectingSink;
import dev.traininghealth.agent.Emitter;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Iteration;
import dev.traininghealth.rules.event.LayerStats;
import dev.traininghealth.rules.event.NonFinite;
import dev.traininghealth.zoo.HealthyMlp;
import dev.traininghealth.zoo.NanBatch;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class BackgroundStepNormsTest {
  private static final String HELPER = "training-health-norms";

  @BeforeEach
  void helperEvenForSmallNets() {
    IterationProbe.backgroundMinParams = 0;
  }

  @AfterEach
  void reset() {
    IterationProbe.faultHook = null;
    IterationProbe.backgroundMinParams = IterationProbe.BACKGROUND_MIN_PARAMS;
  }

  private static AgentConfig config(boolean background) {
    return AgentConfig.builder().job("bg").heartbeatIntervalMs(0).probes("thorough")
        .activationsEvery(3).normsBackground(background).build();
  }

  /** Makes the helper thread slow, so that whatever does not wait for it visibly runs first. */
  private static void slowHelper() {
    IterationProbe.faultHook = probe -> {
      if (probe.equals(IterationProbe.NORMS) && Thread.currentThread().getName().equals(HELPER)) {
        try {
          Thread.sleep(30);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private static List<Event> run(NanBatch job, boolean background, long seed) {
    CollectingSink sink = new CollectingSink();
    MultiLayerNetwork net = job.network(seed);
    HealthListener listener = HealthListener.create(config(background), sink);
    net.addListeners(listener);
    job.train(net, seed);
    listener.close();
    return sink.events;
  }

  @Test
  void reportsTheSameNormsAndEventsInTheSameOrderAsTheTrainingThread() {
    // A NaN batch (its iteration is measured inline), and activations held behind pending
    // iteration events.
    NanBatch job = new NanBatch();
    slowHelper();
    List<Event> helper = run(job, true, 3);
    List<Event> inline = run(job, false, 3);

    assertEquals(kinds(inline), kinds(helper), "same events, same order");
    for (int i = 0; i < helper.size(); i++) {
      assertEquals(i, helper.get(i).header().seq(), "seq follows the order on the wire");
    }
    List<Iteration> a = ofType(helper, Iteration.class);
    List<Iteration> b = ofType(inline, Iteration.class);
    for (int i = 0; i < a.size(); i++) {
      assertEquals(b.get(i).paramNorm(), a.get(i).paramNorm(), "iteration " + i);
      assertEquals(b.get(i).updateNorm(), a.get(i).updateNorm(), "iteration " + i);
      for (int k = 0; k < a.get(i).layers().size(); k++) {
        LayerStats x = a.get(i).layers().get(k);
        LayerStats y = b.get(i).layers().get(k);
        assertEquals(y.paramNorm(), x.paramNorm());
        assertEquals(y.updateNorm(), x.updateNorm());
        assertEquals(y.gradNorm(), x.gradNorm());
      }
      if (i < NanBatch.BAD_BATCH) {
        assertTrue(Double.isFinite(a.get(i).paramNorm()), "step norms at iteration " + i);
      }
    }
    assertTrue(ofType(helper, NonFinite.class).stream()
        .anyMatch(n -> n.where() == NonFinite.Where.PARAMETER), "the parameters' report");
  }

  @Test
  void aTaskThatMayChangeTheModelRunsOnlyAfterTheStepNormsAreOut() {
    HealthyMlp job = new HealthyMlp();
    CollectingSink sink = new CollectingSink();
    List<String> seen = new ArrayList<>();
    BoundaryTask reader = task("reader", false, sink, seen);
    BoundaryTask writer = task("writer", true, sink, seen);
    slowHelper();
    MultiLayerNetwork net = job.network(4);
    HealthListener listener = HealthListener.create(config(true), sink, reader, writer);
    net.addListeners(listener);
    DataSet batch = job.data(4).next();
    for (int i = 0; i < 3; i++) {
      net.fit(batch);
    }
    listener.close();

    // The reader runs while the helper (slowed to 30 ms) still measures: its iteration's event
    // is not out yet. The writer waits for it.
    assertEquals(List.of("reader 0: pending", "writer 0: out", "reader 1: pending",
        "writer 1: out", "reader 2: pending", "writer 2: out"), seen);
  }

  @Test
  void smallNetsAreMeasuredOnTheTrainingThread() {
    IterationProbe.backgroundMinParams = IterationProbe.BACKGROUND_MIN_PARAMS;
    HealthyMlp job = new HealthyMlp();
    CollectingSink sink = new CollectingSink();
    List<String> seen = new ArrayList<>();
    slowHelper();
    MultiLayerNetwork net = job.network(4);
    HealthListener listener =
        HealthListener.create(config(true), sink, task("reader", false, sink, seen));
    net.addListeners(listener);
    net.fit(job.data(4).next());
    listener.close();
    assertEquals(List.of("reader 0: out"), seen, "a 20-64-3 MLP is below the threshold");
  }

  @Test
  void aLoopWithoutForwardPassCallbacksIsMeasuredOnTheTrainingThread() {
    HealthyMlp job = new HealthyMlp();
    MultiLayerNetwork net = job.network(5);
    DataSet batch = job.data(5).next();
    CollectingSink sink = new CollectingSink();
    HealthListener listener = HealthListener.create(config(true), sink);
    slowHelper();
    // Drive the callbacks by hand as a loop that never calls onForwardPass would: the backward
    // pass could then rewrite the update while the helper reads it.
    for (int i = 0; i < 2; i++) {
      net.setInput(batch.getFeatures());
      net.setLabels(batch.getLabels());
      net.computeGradientAndScore();
      listener.onGradientCalculation(net);
      listener.iterationDone(net, i, 0);
      Iteration it = last(sink.events);
      // Measured on the slowed helper, it would be held for 30 ms.
      assertEquals(i, it.iter(), "the iteration's event is out at once");
      assertTrue(Double.isFinite(it.paramNorm()), "with its step norms");
    }
    listener.close();
  }

  private static BoundaryTask task(String name, boolean changes, CollectingSink sink,
      List<String> seen) {
    return new BoundaryTask() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean mayChangeModel(int iteration) {
        return changes;
      }

      @Override
      public void atBoundary(Model model, int iteration, int epoch, Emitter out) {
        boolean out1 = sink.ofType(Iteration.class).stream().anyMatch(e -> e.iter() == iteration);
        seen.add(name + " " + iteration + ": " + (out1 ? "out" : "pending"));
      }
    };
  }

  private static Iteration last(List<Event> events) {
    List<Iteration> its = ofType(events, Iteration.class);
    return its.get(its.size() - 1);
  }

  private static List<String> kinds(List<Event> events) {
    List<String> k = new ArrayList<>();
    for (Event e : events) {
      k.add(e.getClass().getSimpleName() + "@" + e.header().iter()
          + (e instanceof NonFinite ? "/" + ((NonFinite) e).where() : ""));
    }
    return k;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Event> List<T> ofType(List<Event> events, Class<T> t) {
    return (List<T>) events.stream().filter(t::isInstance).toList();
  }
}
