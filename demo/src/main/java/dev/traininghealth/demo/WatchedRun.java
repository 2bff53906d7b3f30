package dev.traininghealth.demo;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.action.ActionExecutor;
import dev.traininghealth.agent.action.CommandConsumer;
import dev.traininghealth.agent.action.CommandInbox;
import dev.traininghealth.agent.transport.KafkaEventSink;
import dev.traininghealth.zoo.StepPause;
import dev.traininghealth.zoo.ZooJob;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Trains a zoo job in this JVM with the agent's library wired in by hand, the way a user adds it
 * to their own code, commands included: the event sink, the command consumer and the action
 * executor. Unlike {@link HealthListener#create(AgentConfig)} it waits until the command consumer
 * holds its partitions before the first step: the consumer starts at the end of the command topic,
 * and the demo's short runs (a NaN at iteration 7) can draw a command within the first second.
 */
public final class WatchedRun {
  private WatchedRun() {}

  /** Trains {@code job} with {@code seed}, pausing {@code pauseMs} after every step; the net. */
  public static MultiLayerNetwork train(ZooJob job, long seed, AgentConfig config, long pauseMs)
      throws InterruptedException {
    MultiLayerNetwork net = job.network(seed);
    KafkaEventSink sink = KafkaEventSink.create(config.bootstrapServers(), config.topic(),
        config.queueCapacity(), config.closeTimeoutMs(), config.kafka());
    HealthListener listener;
    if (config.actions().enabled()) {
      CommandInbox inbox = new CommandInbox(config.actions().queueCapacity());
      CommandConsumer consumer = CommandConsumer.start(config.bootstrapServers(),
          config.actions().topic(), config.job(), config.kafka(), inbox);
      ActionExecutor actions = ActionExecutor.builder(config.actions(), config.job())
          .inbox(inbox).receiver(consumer).build();
      listener = HealthListener.create(config, sink, actions);
      if (!consumer.awaitReady(30, TimeUnit.SECONDS)) {
        listener.close("failed", "command consumer not ready");
        throw new IllegalStateException("the command consumer of " + config.job()
            + " got no partitions within 30 s: " + consumer.lastError());
      }
    } else {
      listener = HealthListener.create(config, sink);
    }
    try (listener) {
      net.addListeners(listener, new StepPause(pauseMs));
      job.train(net, seed);
    }
    return net;
  }
}
