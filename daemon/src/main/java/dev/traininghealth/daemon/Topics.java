package dev.traininghealth.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;

/** The topics of {@code shared/DESIGN.md}, and how the daemon makes sure they exist. */
public final class Topics {
  /** Agents' events, key = job. */
  public static final String EVENTS = "th.events";
  /** Records of {@link #EVENTS} that could not be read, with the reason in a header. */
  public static final String EVENTS_DLQ = "th.events.dlq";
  /** Alert state changes as JSON, key = job. */
  public static final String ALERTS = "th.alerts";
  /** Signed commands to the agents, key = job. */
  public static final String COMMANDS = "th.commands";

  public static final List<String> ALL = List.of(EVENTS, EVENTS_DLQ, ALERTS, COMMANDS);

  private static final long TIMEOUT_MS = 30_000;

  private Topics() {}

  /**
   * Creates those of {@link #ALL} that are missing, with the broker's default replication factor,
   * and waits until every partition has a leader: an idempotent producer writing before that was
   * seen retrying forever with OUT_OF_ORDER_SEQUENCE_NUMBER. Blocking.
   */
  static void ensure(Admin admin, int partitions) throws Exception {
    List<NewTopic> topics = new ArrayList<>();
    for (String name : ALL) {
      topics.add(new NewTopic(name, Optional.of(partitions), Optional.empty()));
    }
    for (var f : admin.createTopics(topics).values().values()) {
      try {
        f.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
    while (!allHaveLeaders(admin)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions of " + ALL + " got no leader in 30 s");
      }
      Thread.sleep(50);
    }
  }

  private static boolean allHaveLeaders(Admin admin) throws InterruptedException {
    try {
      Map<String, TopicDescription> d = admin.describeTopics(ALL).allTopicNames().get();
      return d.values().stream()
          .allMatch(t -> t.partitions().stream().allMatch(p -> p.leader() != null));
    } catch (ExecutionException e) {
      return false; // metadata not propagated yet
    }
  }
}
