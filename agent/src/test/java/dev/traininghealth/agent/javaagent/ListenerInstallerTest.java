package dev.traininghealth.agent.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.zoo.HealthyMlp;
import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.optimize.listeners.ScoreIterationListener;
import org.junit.jupiter.api.Test;

class ListenerInstallerTest {

  private static List<TrainingListener> ours(MultiLayerNetwork net) {
    return net.getListeners().stream().filter(l -> l instanceof HealthListener)
        .collect(Collectors.toList());
  }

  @Test
  void addsOneListenerPerNetworkAndPutsTheSameOneBackAfterSetListeners() {
    ListenerInstaller.configure(AgentConfig.builder().job("installer")
        .bootstrapServers("127.0.0.1:1").heartbeatIntervalMs(0).closeTimeoutMs(0)
        .kafka("max.block.ms", "1").build());
    MultiLayerNetwork net = new HealthyMlp().network(1);
    ListenerInstaller.ensure(net);
    ListenerInstaller.ensure(net);
    assertEquals(1, ours(net).size());
    TrainingListener first = ours(net).get(0);

    net.setListeners(new ScoreIterationListener(100));
    ListenerInstaller.ensure(net);
    assertEquals(1, ours(net).size());
    assertSame(first, ours(net).get(0), "same run continues");
    assertEquals(2, net.getListeners().size(), "the program's own listener stays");

    ListenerInstaller.ensure("not a network");
    ListenerInstaller.closeAll();
  }
}
