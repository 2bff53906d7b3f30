package dev.traininghealth.daemon.ingest;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Decodes the records of one poll, about half of them (whole partitions) on a helper thread
 * while the calling thread decodes the rest. Decoding is most of ingest's work, about twice
 * evaluate's per event, so on two cores the ingest thread alone would be the bottleneck while
 * evaluate waits. Pure: what to do with a record that does not decode is the caller's business.
 */
final class PollDecoder implements AutoCloseable {
  /** Below this many records a poll is decoded on the calling thread alone. */
  private static final int MIN_SHARED = 64;

  private final EventCodec codec;
  private final ExecutorService helper; // null on one core

  PollDecoder(EventCodec codec, boolean shared) {
    this.codec = codec;
    this.helper = shared ? Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "th-decode");
      t.setDaemon(true);
      return t;
    }) : null;
  }

  /** A record whose event names a job other than its key. */
  record KeyMismatch(String job) {}

  /**
   * Per partition, per record in offset order: its {@link Event}, a {@link KeyMismatch}, or the
   * {@link MalformedEventException} that rejected it.
   */
  Map<TopicPartition, Object[]> decode(ConsumerRecords<String, byte[]> records) {
    List<TopicPartition> mine = new ArrayList<>(records.partitions());
    Map<TopicPartition, Object[]> out = new HashMap<>();
    if (helper == null || records.count() < MIN_SHARED) {
      decode(records, mine, out);
      return out;
    }
    List<TopicPartition> theirs = new ArrayList<>();
    int given = 0;
    while (mine.size() > 1 && given < records.count() / 2) {
      TopicPartition tp = mine.remove(mine.size() - 1);
      theirs.add(tp);
      given += records.records(tp).size();
    }
    Future<Map<TopicPartition, Object[]>> done = helper.submit(() -> {
      Map<TopicPartition, Object[]> m = new HashMap<>();
      decode(records, theirs, m);
      return m;
    });
    decode(records, mine, out);
    try {
      out.putAll(done.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    } catch (ExecutionException e) {
      throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
    }
    return out;
  }

  private void decode(ConsumerRecords<String, byte[]> records, List<TopicPartition> partitions,
      Map<TopicPartition, Object[]> out) {
    for (TopicPartition tp : partitions) {
      List<ConsumerRecord<String, byte[]>> rs = records.records(tp);
      Object[] decoded = new Object[rs.size()];
      for (int i = 0; i < decoded.length; i++) {
        decoded[i] = decode(rs.get(i));
      }
      out.put(tp, decoded);
    }
  }

  private Object decode(ConsumerRecord<String, byte[]> r) {
    try {
      Event e = codec.decode(r.value());
      return r.key() != null && !r.key().equals(e.job()) ? new KeyMismatch(e.job()) : e;
    } catch (MalformedEventException ex) {
      return ex;
    }
  }

  @Override
  public void close() {
    if (helper != null) {
      helper.shutdownNow();
    }
  }
}
