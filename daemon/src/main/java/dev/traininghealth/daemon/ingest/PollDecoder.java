package dev.traininghealth.daemon.ingest;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import java.nio.ByteBuffer;
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
 * Decodes the records of one poll, the first half of them on a helper thread
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
  Map<TopicPartition, Object[]> decode(ConsumerRecords<ByteBuffer, ByteBuffer> records) {
    Map<TopicPartition, Object[]> out = new HashMap<>();
    List<ConsumerRecord<ByteBuffer, ByteBuffer>> all = new ArrayList<>(records.count());
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<ByteBuffer, ByteBuffer>> rs = records.records(tp);
      out.put(tp, new Object[rs.size()]);
      all.addAll(rs);
    }
    // Where each record's answer goes: its partition's array, at its index there.
    Object[][] target = new Object[all.size()][];
    int[] index = new int[all.size()];
    int k = 0;
    for (TopicPartition tp : records.partitions()) {
      Object[] a = out.get(tp);
      for (int i = 0; i < a.length; i++, k++) {
        target[k] = a;
        index[k] = i;
      }
    }
    int n = all.size();
    if (helper == null || n < MIN_SHARED) {
      decodeRange(all, 0, n, target, index);
      return out;
    }
    // A poll often holds one partition's records only, so the halves split records, not
    // partitions.
    int half = n / 2;
    Future<?> done = helper.submit(() -> decodeRange(all, 0, half, target, index));
    decodeRange(all, half, n, target, index);
    try {
      done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    } catch (ExecutionException e) {
      throw new IllegalStateException("decoding failed: " + e.getCause(), e.getCause());
    }
    return out;
  }

  private void decodeRange(List<ConsumerRecord<ByteBuffer, ByteBuffer>> all, int from, int to,
      Object[][] target, int[] index) {
    for (int k = from; k < to; k++) {
      target[k][index[k]] = decode(all.get(k));
    }
  }

  private Object decode(ConsumerRecord<ByteBuffer, ByteBuffer> r) {
    try {
      Event e = codec.decode(r.value());
      return r.key() != null && !RecordKeys.isJob(r.key(), e.job()) ? new KeyMismatch(e.job()) : e;
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
