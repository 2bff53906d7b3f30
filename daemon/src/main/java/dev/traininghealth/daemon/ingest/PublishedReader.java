package dev.traininghealth.daemon.ingest;

import dev.traininghealth.daemon.Topics;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads back what earlier owners of some jobs published: the recent records of {@link
 * Topics#ALERTS} and {@link Topics#COMMANDS} whose job (the key) hashes to one of the given
 * partitions of {@link Topics#EVENTS}, as Kafka's default partitioner places keyed records.
 * At most {@code maxRecords} per partition and, when {@code windowMs} > 0, none older than {@code
 * windowMs}. Blocking; a fresh consumer without a group each time (assignments are rare).
 */
final class PublishedReader {
  private static final Logger LOG = LoggerFactory.getLogger(PublishedReader.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DEADLINE_MS = 15_000;

  /** What was read: alert changes as JSON and command ids, each oldest first per partition. */
  record Published(List<JsonObject> alerts, List<String> commandIds) {}

  private PublishedReader() {}

  static Published read(Map<String, String> clientProps, Set<Integer> eventPartitions,
      int eventsPartitionCount, int maxRecords, long windowMs, long nowMs) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.remove("group.id");
    props.remove("group.instance.id");
    props.put("enable.auto.commit", "false");
    props.put("client.id", clientProps.getOrDefault("client.id", "th-daemon") + "-readback");
    List<JsonObject> alerts = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      for (ConsumerRecord<String, byte[]> r : records(c, Topics.ALERTS, eventPartitions,
          eventsPartitionCount, maxRecords, windowMs, nowMs)) {
        JsonObject j = json(r);
        if (j != null) {
          alerts.add(j);
        }
      }
      for (ConsumerRecord<String, byte[]> r : records(c, Topics.COMMANDS, eventPartitions,
          eventsPartitionCount, maxRecords, windowMs, nowMs)) {
        JsonObject j = json(r);
        if (j != null && j.getValue("id") instanceof String id) {
          ids.add(id);
        }
      }
    }
    return new Published(alerts, ids);
  }

  /** The partition of {@link Topics#EVENTS} that a job's records land on. */
  static int partitionOf(String job, int partitions) {
    return Utils.toPositive(Utils.murmur2(job.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  private static List<ConsumerRecord<String, byte[]>> records(KafkaConsumer<String, byte[]> c,
      String topic, Set<Integer> eventPartitions, int eventsPartitionCount, int maxRecords,
      long windowMs, long nowMs) {
    List<PartitionInfo> infos = c.partitionsFor(topic);
    List<TopicPartition> tps = new ArrayList<>();
    for (PartitionInfo i : infos) {
      // Same count: a job's records sit on the same partition number in every topic.
      if (infos.size() != eventsPartitionCount || eventPartitions.contains(i.partition())) {
        tps.add(new TopicPartition(topic, i.partition()));
      }
    }
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    if (tps.isEmpty()) {
      return out;
    }
    c.assign(tps);
    Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
    Map<TopicPartition, Long> end = c.endOffsets(tps);
    Map<TopicPartition, OffsetAndTimestamp> byTime = Map.of();
    if (windowMs > 0) {
      Map<TopicPartition, Long> q = new HashMap<>();
      tps.forEach(tp -> q.put(tp, nowMs - windowMs));
      byTime = c.offsetsForTimes(q);
    }
    Map<TopicPartition, Long> todo = new HashMap<>();
    for (TopicPartition tp : tps) {
      long e = end.get(tp);
      long start = Math.max(begin.get(tp), e - maxRecords);
      if (windowMs > 0) {
        OffsetAndTimestamp t = byTime.get(tp);
        start = Math.max(start, t == null ? e : t.offset());
      }
      c.seek(tp, start);
      if (start < e) {
        todo.put(tp, e);
      }
    }
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (!todo.isEmpty() && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, byte[]> r : c.poll(POLL)) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Long e = todo.get(tp);
        if (e != null && r.offset() < e && r.key() != null
            && eventPartitions.contains(partitionOf(r.key(), eventsPartitionCount))) {
          out.add(r);
        }
      }
      todo.keySet().removeIf(tp -> c.position(tp) >= todo.get(tp));
    }
    if (!todo.isEmpty()) {
      LOG.warn("could not read {} back to its end in {} ms: {}", topic, DEADLINE_MS,
          todo.keySet());
    }
    c.unsubscribe();
    return out;
  }

  private static JsonObject json(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return null;
    }
    try {
      return new JsonObject(new String(r.value(), StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      return null; // not ours to judge: the reader only looks for what it understands
    }
  }
}
