package dev.traininghealth.daemon;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings for the daemon's Kafka clients: the user's {@code th.daemon.kafka.client.*} settings
 * first (security, timeouts, batching), then the few the daemon cannot work without.
 */
public final class KafkaClientConfigs {
  private KafkaClientConfigs() {}

  public static Map<String, String> admin(DaemonConfig config, String bootstrapServers) {
    Map<String, String> m = new LinkedHashMap<>(config.kafkaClient());
    m.put("bootstrap.servers", bootstrapServers);
    m.put("client.id", config.groupId() + "-admin");
    return m;
  }

  /**
   * A consumer in the daemon's group. A new group starts from the earliest offset so that a job
   * that began before the first daemon did is seen whole. Offsets are committed by the ingest
   * verticle after evaluation, never automatically. Cooperative rebalancing: when a daemon joins
   * or leaves, only the partitions that move are revoked, so the others keep their jobs' state.
   */
  public static Map<String, String> consumer(DaemonConfig config, String bootstrapServers) {
    Map<String, String> m = new LinkedHashMap<>(config.kafkaClient());
    m.put("bootstrap.servers", bootstrapServers);
    m.put("group.id", config.groupId());
    m.putIfAbsent("client.id", config.groupId() + "-ingest");
    m.putIfAbsent("auto.offset.reset", "earliest");
    m.putIfAbsent("max.poll.records", "2000");
    m.put("enable.auto.commit", "false");
    m.putIfAbsent("partition.assignment.strategy",
        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
    return m;
  }

  public static Map<String, String> producer(
      DaemonConfig config, String bootstrapServers, String clientId) {
    Map<String, String> m = new LinkedHashMap<>(config.kafkaClient());
    m.put("bootstrap.servers", bootstrapServers);
    m.putIfAbsent("client.id", config.groupId() + "-" + clientId);
    m.putIfAbsent("acks", "all");
    m.putIfAbsent("linger.ms", "5");
    return m;
  }
}
