package dev.traininghealth.agent.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.kafka.EmbeddedKafka;
import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandCodec;
import dev.traininghealth.rules.command.CommandSigner;
import dev.traininghealth.rules.event.ActionResult;
import dev.traininghealth.rules.event.ActionResult.Outcome;
import dev.traininghealth.rules.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;

/** Commands through a real broker: keyed by job, decoded, applied while training, across an outage. */
class CommandConsumerTest {
  private static final String TOPIC = "th.commands";
  private final CommandSigner signer = CommandSigner.withKey(ActionHarness.KEY);
  private final CommandCodec codec = new CommandCodec();

  private Command command(String id, String job, String action, Map<String, Object> params) {
    long now = System.currentTimeMillis();
    return signer.sign(Command.builder().id(id).job(job).action(action).params(params).issued(now)
        .expires(now + 120_000).build());
  }

  private static void send(KafkaProducer<byte[], byte[]> p, String key, byte[] value) throws Exception {
    p.send(new ProducerRecord<>(TOPIC, key.getBytes(StandardCharsets.UTF_8), value)).get(30, TimeUnit.SECONDS);
  }

  @Test
  void appliesThisJobsCommandsWhileTrainingAndSurvivesABrokerRestart() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(3, TOPIC);
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      pp.put(ProducerConfig.ACKS_CONFIG, "all");
      pp.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
        // Sent before the agent starts: an earlier run's business, never applied.
        send(producer, "job-a", codec.encode(command("old", "job-a", "lr_scale", Map.of("factor", 2.0))));

        ActionSettings settings = ActionSettings.builder().enabled(true).key(ActionHarness.KEY).build();
        CommandInbox inbox = new CommandInbox(settings.queueCapacity());
        CommandConsumer consumer =
            CommandConsumer.start(kafka.bootstrapServers(), TOPIC, "job-a", Map.of(), inbox);
        ActionExecutor executor =
            ActionExecutor.builder(settings, "job-a").inbox(inbox).receiver(consumer).build();
        List<Event> events = new CopyOnWriteArrayList<>();
        HealthListener listener = HealthListener.create(
            AgentConfig.builder().job("job-a").heartbeatIntervalMs(0).build(), sink(events), executor);
        MultiLayerNetwork net = ActionHarness.tinyNet(3, new Adam(0.01));
        net.addListeners(listener);
        DataSet batch = ActionHarness.tinyBatch(4);
        assertTrue(consumer.awaitReady(30, TimeUnit.SECONDS), "consumer ready: " + consumer.lastError());

        Command kick = command("k1", "job-a", "lr_kick", Map.of("factor", 3.0, "iterations", 1000L));
        send(producer, "job-a", codec.encode(kick));
        send(producer, "job-b", codec.encode(command("b1", "job-b", "lr_scale", Map.of("factor", 2.0))));
        send(producer, "job-a", "{\"v\":1,\"id\":\"bad-1\"}".getBytes(StandardCharsets.UTF_8));
        trainUntil(net, batch, events, r -> r.commandId().equals("bad-1"));
        trainUntil(net, batch, events, r -> r.commandId().equals("k1"));
        assertEquals(Outcome.APPLIED, find(events, "k1").outcome(), find(events, "k1").reason());
        assertEquals(Outcome.REJECTED, find(events, "bad-1").outcome());
        assertTrue(find(events, "bad-1").reason().contains("malformed"));
        assertEquals(3.0, executor.learningRateFactor(), 1e-12);

        kafka.stop();
        net.fit(batch); // training goes on while the broker is down
        net.fit(batch);
        kafka.restart();
        // The same command again (a daemon retrying, or a replay by an attacker) and a new one.
        send(producer, "job-a", codec.encode(kick));
        send(producer, "job-a", codec.encode(command("k2", "job-a", "lr_scale", Map.of("factor", 0.5))));
        trainUntil(net, batch, events, r -> r.commandId().equals("k2"));
        List<ActionResult> k1 = results(events, "k1");
        assertEquals(2, k1.size());
        assertEquals(Outcome.REJECTED, k1.get(1).outcome());
        assertTrue(k1.get(1).reason().contains("replayed"), k1.get(1).reason());
        assertEquals(Outcome.APPLIED, find(events, "k2").outcome());
        assertEquals(1.5, executor.learningRateFactor(), 1e-12);

        assertTrue(results(events, "b1").isEmpty(), "another job's command is none of ours");
        assertTrue(results(events, "old").isEmpty(), "commands from before the start are skipped");
        assertTrue(consumer.otherJobs() >= 1);
        listener.close();
      }
    }
  }

  /** One data-parallel job, two worker processes (here two agents): a command is for both. */
  @Test
  void everyWorkerOfAJobAppliesEachCommandExactlyOnce() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      kafka.createTopics(3, TOPIC);
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      pp.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(pp, new ByteArraySerializer(), new ByteArraySerializer())) {
        ActionSettings settings = ActionSettings.builder().enabled(true).key(ActionHarness.KEY).build();
        String[] workers = {"w0", "w1"};
        List<List<Event>> events = new java.util.ArrayList<>();
        List<MultiLayerNetwork> nets = new java.util.ArrayList<>();
        List<ActionExecutor> executors = new java.util.ArrayList<>();
        List<HealthListener> listeners = new java.util.ArrayList<>();
        for (String w : workers) {
          CommandInbox inbox = new CommandInbox(settings.queueCapacity());
          CommandConsumer consumer =
              CommandConsumer.start(kafka.bootstrapServers(), TOPIC, "dp-job", Map.of(), inbox);
          ActionExecutor executor =
              ActionExecutor.builder(settings, "dp-job").inbox(inbox).receiver(consumer).build();
          List<Event> mine = new CopyOnWriteArrayList<>();
          HealthListener listener = HealthListener.create(AgentConfig.builder().job("dp-job")
              .worker(w).heartbeatIntervalMs(0).build(), sink(mine), executor);
          MultiLayerNetwork net = ActionHarness.tinyNet(3, new Adam(0.01));
          net.addListeners(listener);
          assertTrue(consumer.awaitReady(30, TimeUnit.SECONDS), "consumer ready: " + consumer.lastError());
          events.add(mine);
          nets.add(net);
          executors.add(executor);
          listeners.add(listener);
        }
        DataSet batch = ActionHarness.tinyBatch(4);
        Command scale = command("dp-1", "dp-job", "lr_scale", Map.of("factor", 0.5));
        send(producer, "dp-job", codec.encode(scale));
        send(producer, "dp-job", codec.encode(scale)); // a daemon retrying after a takeover
        send(producer, "dp-job", codec.encode(command("dp-2", "dp-job", "lr_scale",
            Map.of("factor", 0.5))));
        for (int i = 0; i < workers.length; i++) {
          trainUntil(nets.get(i), batch, events.get(i), r -> r.commandId().equals("dp-2"));
          List<ActionResult> first = results(events.get(i), "dp-1");
          assertEquals(2, first.size(), workers[i] + ": " + first);
          assertEquals(Outcome.APPLIED, first.get(0).outcome(), workers[i]);
          assertEquals(Outcome.REJECTED, first.get(1).outcome(), workers[i]);
          assertEquals(workers[i], first.get(0).header().worker());
          assertEquals(Outcome.APPLIED, find(events.get(i), "dp-2").outcome(), workers[i]);
          assertEquals(0.25, executors.get(i).learningRateFactor(), 1e-12, workers[i]);
        }
        listeners.forEach(HealthListener::close);
      }
    }
  }

  private static void trainUntil(MultiLayerNetwork net, DataSet batch, List<Event> events,
      Predicate<ActionResult> done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      net.fit(batch);
      for (Event e : events) {
        if (e instanceof ActionResult && done.test((ActionResult) e)) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no such action_result within 60 s; events: " + events);
  }

  private static List<ActionResult> results(List<Event> events, String id) {
    List<ActionResult> out = new java.util.ArrayList<>();
    for (Event e : events) {
      if (e instanceof ActionResult && ((ActionResult) e).commandId().equals(id)) {
        out.add((ActionResult) e);
      }
    }
    return out;
  }

  private static ActionResult find(List<Event> events, String id) {
    List<ActionResult> r = results(events, id);
    if (r.isEmpty()) {
      throw new AssertionError("no result for " + id);
    }
    return r.get(0);
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
