package dev.traininghealth.agent.action;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A real DL4J net trained with a real {@link HealthListener} running an {@link ActionExecutor},
 * its commands handed over through the executor's inbox (the Kafka path has its own test), and
 * the listener's events collected.
 */
final class ActionHarness implements AutoCloseable {
  static final String KEY = "0123456789abcdef-test-key";
  static final String JOB = "tiny";

  final MultiLayerNetwork net;
  final DataSet batch;
  final ActionExecutor executor;
  final HealthListener listener;
  final List<Event> events = new CopyOnWriteArrayList<>();
  final CommandSigner signer = CommandSigner.withKey(KEY);
  private final AtomicInteger ids = new AtomicInteger();

  ActionHarness(MultiLayerNetwork net, DataSet batch, ActionSettings.Builder settings) {
    this.net = net;
    this.batch = batch;
    ActionSettings s = settings.enabled(true).key(KEY).build();
    this.executor = ActionExecutor.builder(s, JOB).build();
    EventSink sink =
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
    this.listener =
        HealthListener.create(AgentConfig.builder().job(JOB).heartbeatIntervalMs(0).build(), sink,
            executor);
    net.addListeners(listener);
  }

  static ActionHarness tiny(ActionSettings.Builder settings) {
    return new ActionHarness(tinyNet(7, new Adam(0.01)), tinyBatch(3), settings);
  }

  /** A 4-8-3 softmax MLP. */
  static MultiLayerNetwork tinyNet(long seed, IUpdater updater) {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(8).activation(Activation.TANH).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nIn(8)
                        .nOut(3)
                        .activation(Activation.SOFTMAX)
                        .build())
                .build());
    net.init();
    return net;
  }

  static DataSet tinyBatch(long seed) {
    Nd4j.getRandom().setSeed(seed);
    org.nd4j.linalg.api.ndarray.INDArray x = Nd4j.randn(DataType.FLOAT, 16, 4);
    org.nd4j.linalg.api.ndarray.INDArray y = Nd4j.zeros(DataType.FLOAT, 16, 3);
    for (int i = 0; i < 16; i++) {
      y.putScalar(i, i % 3, 1);
    }
    return new DataSet(x, y);
  }

  /** One training step (and so one boundary, where queued commands are applied). */
  void step() {
    net.fit(batch);
  }

  void steps(int n) {
    for (int i = 0; i < n; i++) {
      step();
    }
  }

  /** The iteration the last {@link #step} finished. */
  int iteration() {
    return net.getIterationCount() - 1;
  }

  Command.Builder command(String action, Map<String, Object> params) {
    long now = System.currentTimeMillis();
    return Command.builder()
        .id("cmd-" + ids.incrementAndGet())
        .job(JOB)
        .action(action)
        .params(params)
        .issued(now)
        .expires(now + 60_000)
        .reason("test");
  }

  /** Signs and queues a command; it is applied at the next boundary. */
  Command send(String action, Map<String, Object> params) {
    Command c = signer.sign(command(action, params).build());
    executor.inbox().offer(c);
    return c;
  }

  /** Sends, steps once, and returns the command's result. */
  ActionResult apply(String action, Map<String, Object> params) {
    Command c = send(action, params);
    step();
    return result(c.id());
  }

  List<ActionResult> results() {
    List<ActionResult> out = new ArrayList<>();
    for (Event e : events) {
      if (e instanceof ActionResult) {
        out.add((ActionResult) e);
      }
    }
    return out;
  }

  ActionResult result(String commandId) {
    ActionResult found = null;
    for (ActionResult r : results()) {
      if (r.commandId().equals(commandId)) {
        if (found != null) {
          throw new AssertionError("two results for " + commandId);
        }
        found = r;
      }
    }
    if (found == null) {
      throw new AssertionError("no result for " + commandId + "; results: " + describe());
    }
    return found;
  }

  String describe() {
    StringBuilder b = new StringBuilder();
    for (ActionResult r : results()) {
      b.append('\n').append(r.commandId()).append(' ').append(r.action()).append(' ')
          .append(r.outcome()).append(": ").append(r.reason());
    }
    return b.toString();
  }

  @Override
  public void close() {
    listener.close();
  }
}
