package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.curvature.CurvatureEstimate;
import dev.traininghealth.agent.curvature.CurvatureProbe;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.zoo.Saddle;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class CurvatureStepTest {

  @Test
  void stepAlongNegativeCurvatureLeavesTheSaddle() {
    Saddle job = new Saddle();
    MultiLayerNetwork net = job.network(3);
    DataSet data = Saddle.centredData(3);
    AtomicReference<CurvatureEstimate> latest = new AtomicReference<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    ActionExecutor executor =
        ActionExecutor.builder(ActionSettings.builder().key(ActionHarness.KEY).build(), "saddle")
            .curvature(latest::get)
            .build();
    HealthListener listener = HealthListener.create(
        AgentConfig.builder().job("saddle").heartbeatIntervalMs(0).build(), sink(events), executor);
    net.addListeners(listener);
    for (int i = 0; i < 5; i++) {
      net.fit(data);
    }
    double stuck = net.score(data, false);
    net.fit(data);
    assertEquals(stuck, net.score(data, false), 0.0, "gradient descent does not move at the saddle");

    CurvatureEstimate e = CurvatureProbe.withDefaults().estimate(net, data);
    assertTrue(e.lambdaMin() < -0.1, e.toString());
    latest.set(e);
    long now = System.currentTimeMillis();
    Command c = CommandSigner.withKey(ActionHarness.KEY).sign(
        Command.builder().id("cs-1").job("saddle").action("curvature_step").params(Map.of("step", 1.0))
            .issued(now).expires(now + 60_000).build());
    executor.inbox().offer(c);
    net.fit(data);
    ActionResult r = (ActionResult) events.stream().filter(x -> x instanceof ActionResult).findFirst().orElseThrow();
    assertEquals(Outcome.APPLIED, r.outcome(), r.reason());
    double after = net.score(data, false);
    assertTrue(after < stuck, "loss " + stuck + " -> " + after + ": " + r.reason());
    for (int i = 0; i < 100; i++) {
      net.fit(data);
    }
    assertTrue(net.score(data, false) < 0.5 * stuck, "gradient descent takes over: " + net.score(data, false));
    listener.close();
  }

  @Test
  void failsWithoutAnEstimate() {
    try (ActionHarness h = ActionHarness.tiny(ActionSettings.builder())) {
      h.step();
      ActionResult r = h.apply("curvature_step", Map.of());
      assertEquals(Outcome.FAILED, r.outcome());
      assertTrue(r.reason().contains("no curvature estimate"), r.reason());
    }
  }

  private static EventSink sink(List<Event> events) {
    return new EventSink() {
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
  }
}
