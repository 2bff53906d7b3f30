package dev.traininghealth.agent.trend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Plateau;
import dev.traininghealth.zoo.XorPlateau;
import dev.traininghealth.zoo.Zoo;
import dev.traininghealth.zoo.ZooJob;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

class LossTrendTaskTest {
  private static final class Sink implements EventSink {
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public boolean offer(Event event) {
      events.add(event);
      return true;
    }

    @Override
    public long dropped() {
      return 0;
    }

    @Override
    public void close() {}
  }

  private static List<Plateau> plateaus(String job, int window) {
    ZooJob z = Zoo.byName(job);
    Sink sink = new Sink();
    AgentConfig config = AgentConfig.builder().job(job).heartbeatIntervalMs(0).build();
    MultiLayerNetwork net = z.network(1);
    try (HealthListener h =
        HealthListener.create(config, sink, LossTrendTask.withWindow(window))) {
      net.addListeners(h);
      z.train(net, 1);
    }
    return sink.events.stream().filter(e -> e instanceof Plateau).map(e -> (Plateau) e).toList();
  }

  @Test
  void sendsAPlateauWhenXorSticksAndRepeatsItAtMostOncePerWindow() {
    List<Plateau> ps = plateaus("xor-plateau", 100);
    assertFalse(ps.isEmpty(), "no plateau event on XOR's plateau");
    Plateau first = ps.get(0);
    assertEquals(100, first.window());
    assertTrue(first.iter() <= XorPlateau.PLATEAU_FROM + 100 + 10, "late: " + first.iter());
    assertTrue(first.since() >= 0 && first.since() <= first.iter(), "since " + first.since());
    assertTrue(Math.abs(first.relativeImprovement()) < 0.02, "" + first.relativeImprovement());
    for (int i = 1; i < ps.size(); i++) {
      assertTrue(ps.get(i).iter() - ps.get(i - 1).iter() >= 100, "more than once per window");
    }
  }

  @Test
  void staysQuietWhileTheLossFalls() {
    assertEquals(List.of(), plateaus("healthy-mlp", 50));
  }

  @Test
  void theConfigTurnsItOffOrRejectsAWindowTheTestCannotUse() {
    assertEquals(0, AgentConfig.fromMap(java.util.Map.of("trend.window", "0")).trendWindow());
    assertEquals(200, AgentConfig.defaults().trendWindow());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class,
        () -> AgentConfig.fromMap(java.util.Map.of("trend.window", "55")));
    assertTrue(e.getMessage().contains("trend.window"));
  }
}
