package dev.traininghealth.daemon.ingest;

import dev.traininghealth.daemon.Addresses;
import dev.traininghealth.daemon.DaemonConfig;
import dev.traininghealth.daemon.KafkaClientConfigs;
import dev.traininghealth.daemon.Topics;
import dev.traininghealth.daemon.evaluate.EventBatch;
import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.EventCodec;
import dev.traininghealth.rules.event.MalformedEventException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteBufferDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link Topics#EVENTS} in the daemon's consumer group, decodes each record and hands the
 * events of each partition of one poll to the evaluate verticle as an {@link EventBatch}; what
 * does not decode goes to the dead-letter topic. Bad input never stops it.
 *
 * <p>A plain Kafka consumer on a thread of its own. It polls and decodes the next records while
 * the evaluate verticle works on the last poll's, so decoding and evaluation run on two cores,
 * but it hands over a poll only once evaluate has answered for the one before (the
 * back-pressure: one poll in flight at most), and commits a partition's offsets only then, so an
 * event is committed only after it was evaluated (at least once); between polls at most once per
 * {@link DaemonConfig#commitIntervalMs()}. Every rebalance callback first settles the poll in
 * flight and commits, so offsets are committed while their partitions are still ours.
 *
 * <p>When partitions are assigned (a start, a restart after a crash, a rebalance) it rebuilds
 * the state of their jobs before anything new is evaluated, inside the rebalance callback: it
 * reads back what {@link Topics#ALERTS} and {@link Topics#COMMANDS} hold for them ({@link
 * PublishedReader}), then seeks each partition back from its committed offset by at most
 * {@link DaemonConfig#replayRecords()} records and {@link DaemonConfig#replayWindowMs()} of
 * time; the records below the committed offset go to evaluate as replay batches, which publish
 * nothing; once a partition reaches its committed offset evaluate is told it caught up. A
 * revoked or lost partition's jobs are dropped.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final long RETRY_DELAY_MS = 500;
  private static final long EVALUATE_TIMEOUT_MS = 120_000;

  private final DaemonConfig config;
  private final String bootstrapServers;
  private final Addresses addresses;
  private final IngestMetrics metrics;
  // A helper thread decodes part of each poll where there is a second core.
  private final PollDecoder decoder =
      new PollDecoder(new EventCodec(), Runtime.getRuntime().availableProcessors() > 1
          && !Boolean.getBoolean("th.ingest.decode.alone"));
  // Per partition of th.events being replayed: the committed offset the replay runs up to.
  private final Map<Integer, Long> replayEnds = new HashMap<>();
  private final Set<Integer> assigned = new HashSet<>();
  // Offsets past evaluated records that Kafka has not accepted yet: a commit during a cooperative
  // rebalance fails with RebalanceInProgressException while the partitions are still ours. They
  // are retried after the next poll and committed at the latest when the partition is revoked,
  // so the next owner does not evaluate those records a second time.
  private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
  private long lastCommitNanos = System.nanoTime();
  private KafkaConsumer<ByteBuffer, ByteBuffer> consumer;
  private DeadLetters deadLetters;
  private DeliveryOptions toEvaluate;
  private Thread thread;
  private volatile boolean stopping;
  // The last poll's batches, handed to evaluate and not yet answered; touched on the ingest
  // thread only (the rebalance callbacks run inside poll, on it too).
  private Inflight inflight;

  public IngestVerticle(
      DaemonConfig config, String bootstrapServers, Addresses addresses, IngestMetrics metrics) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.addresses = addresses;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    toEvaluate = new DeliveryOptions().setCodecName(addresses.eventBatchCodec()).setLocalOnly(true)
        .setSendTimeout(EVALUATE_TIMEOUT_MS);
    KafkaProducer<String, byte[]> producer =
        KafkaProducer.create(
            vertx,
            KafkaClientConfigs.producer(config, bootstrapServers, "dlq"),
            new StringSerializer(),
            new ByteArraySerializer());
    deadLetters = new DeadLetters(producer, metrics);
    Map<String, Object> props = new HashMap<>(KafkaClientConfigs.consumer(config,
        bootstrapServers));
    // Keys and values as the slices Kafka read them into: no copy per record (PollDecoder).
    consumer =
        new KafkaConsumer<>(props, new ByteBufferDeserializer(), new ByteBufferDeserializer());
    consumer.subscribe(List.of(Topics.EVENTS), new Rebalance());
    thread = new Thread(this::run, "th-ingest");
    thread.setDaemon(true);
    thread.start();
    return Future.succeededFuture();
  }

  private void run() {
    try {
      while (!stopping) {
        ConsumerRecords<ByteBuffer, ByteBuffer> records;
        try {
          records = consumer.poll(POLL_TIMEOUT);
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          if (stopping) {
            break;
          }
          LOG.warn("ingest: {}; retrying in {} ms", e.toString(), RETRY_DELAY_MS);
          sleep(RETRY_DELAY_MS);
          continue;
        }
        Prepared next = null;
        try {
          if (!records.isEmpty()) {
            // Decoding this poll overlaps with evaluate working on the last one.
            next = prepare(records);
          }
          settle(false);
          if (next != null) {
            inflight = next.send();
          }
        } catch (WakeupException e) {
          break;
        } catch (RuntimeException e) {
          if (stopping) {
            break;
          }
          // Not evaluated, so not committed: read the same records again after a pause.
          LOG.warn("ingest: {}; reading the batch again in {} ms", e.toString(), RETRY_DELAY_MS);
          rewind(inflight == null ? null : inflight.records, records);
          inflight = null;
          sleep(RETRY_DELAY_MS);
        }
      }
      if (inflight != null) {
        try {
          settle(); // a graceful stop commits what evaluate took, so no one reads it twice
        } catch (RuntimeException e) {
          LOG.debug("ingest: the last batch was not confirmed before stopping: {}", e.toString());
        }
      }
    } finally {
      decoder.close();
      try {
        consumer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        LOG.warn("closing the consumer: {}", e.toString());
      }
    }
  }

  /**
   * Decodes one poll's records into what goes to evaluate, partition by partition, and works out
   * the offsets to commit once evaluate has taken them (never for a replayed record).
   */
  private Prepared prepare(ConsumerRecords<ByteBuffer, ByteBuffer> records) {
    Map<TopicPartition, Object[]> decoded = decoder.decode(records);
    List<Supplier<Future<Object>>> sends = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      int p = tp.partition();
      Long replayEnd = replayEnds.get(p);
      List<Event> replay = new ArrayList<>();
      List<Event> live = new ArrayList<>();
      long lastOffset = -1;
      List<ConsumerRecord<ByteBuffer, ByteBuffer>> rs = records.records(tp);
      Object[] results = decoded.get(tp);
      for (int i = 0; i < results.length; i++) {
        ConsumerRecord<ByteBuffer, ByteBuffer> r = rs.get(i);
        lastOffset = r.offset();
        Object d = results[i];
        if (replayEnd != null && r.offset() < replayEnd) {
          // Not an event: it was dead-lettered the first time it was read.
          if (d instanceof Event e) {
            replay.add(e);
          }
        } else if (d instanceof Event e) {
          metrics.event(e.type());
          live.add(e);
        } else if (d instanceof MalformedEventException ex) {
          deadLetters.send(r, DeadLetterReason.of(ex), ex.getMessage());
        } else if (d instanceof PollDecoder.KeyMismatch m) {
          deadLetters.send(r, DeadLetterReason.KEY_MISMATCH,
              "record key '" + RecordKeys.text(r.key()) + "' is not the event's job '" + m.job()
                  + "'");
        }
      }
      if (!replay.isEmpty()) {
        metrics.replayed(replay.size());
        EventBatch b = new EventBatch(replay, p, true);
        sends.add(() -> evaluate(b));
      }
      if (replayEnd != null && lastOffset >= replayEnd - 1) {
        replayEnds.remove(p);
        replayEnd = null;
        sends.add(() -> partitionOp("caught_up", List.of(p), null));
      }
      if (!live.isEmpty()) {
        EventBatch b = new EventBatch(live, p, false);
        sends.add(() -> evaluate(b));
      }
      if (assigned.contains(p) && (replayEnd == null || lastOffset >= replayEnd)) {
        offsets.put(tp, new OffsetAndMetadata(lastOffset + 1));
      }
    }
    // A partition whose replayed records are gone (retention) catches up without them.
    List<Integer> caughtUp = new ArrayList<>();
    for (Map.Entry<Integer, Long> e : replayEnds.entrySet()) {
      if (consumer.position(new TopicPartition(Topics.EVENTS, e.getKey())) >= e.getValue()) {
        caughtUp.add(e.getKey());
      }
    }
    if (!caughtUp.isEmpty()) {
      caughtUp.forEach(replayEnds::remove);
      sends.add(() -> partitionOp("caught_up", caughtUp, null));
    }
    return new Prepared(records, sends, offsets);
  }

  /**
   * Waits until evaluate has taken the batches in flight, then commits past them. Also called at
   * the start of every rebalance callback, so a partition's offsets are settled while it is ours.
   */
  private void settle() {
    settle(true);
  }

  /**
   * {@link #settle()}, but between polls the commit waits for the commit interval: a crash then
   * has the next owner evaluate up to an interval of records again, whose alerts and rungs the
   * publication gate does not send twice.
   */
  private void settle(boolean force) {
    Inflight f = inflight;
    if (f == null) {
      commitPending(force);
      return;
    }
    await(Future.all(f.sent));
    inflight = null;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : f.offsets.entrySet()) {
      if (assigned.contains(e.getKey().partition())) {
        uncommitted.put(e.getKey(), e.getValue());
      }
    }
    commitPending(force);
  }

  /** In a rebalance callback: settles, or puts the batches in flight back to be read again. */
  private void settleOrRewind() {
    try {
      settle();
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("ingest: {}; reading the batch in flight again", e.toString());
      rewind(inflight == null ? null : inflight.records, null);
      inflight = null;
    }
  }

  /** Seeks each still assigned partition back to the first of these records. */
  private void rewind(ConsumerRecords<ByteBuffer, ByteBuffer> earlier,
      ConsumerRecords<ByteBuffer, ByteBuffer> later) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecords<ByteBuffer, ByteBuffer> rs :
        new ArrayList<>(Arrays.asList(earlier, later))) {
      if (rs == null) {
        continue;
      }
      for (TopicPartition tp : rs.partitions()) {
        first.merge(tp, rs.records(tp).get(0).offset(), Math::min);
      }
    }
    for (Map.Entry<TopicPartition, Long> e : first.entrySet()) {
      if (assigned.contains(e.getKey().partition())) {
        consumer.seek(e.getKey(), e.getValue());
      }
    }
  }

  /**
   * Commits what is pending, unless not forced and the last commit is more recent than the
   * commit interval; keeps it for a retry while a rebalance is in progress.
   */
  private void commitPending(boolean force) {
    if (uncommitted.isEmpty()) {
      return;
    }
    if (!force && System.nanoTime() - lastCommitNanos < config.commitIntervalMs() * 1_000_000L) {
      return;
    }
    try {
      consumer.commitSync(uncommitted);
      lastCommitNanos = System.nanoTime();
      uncommitted.clear();
    } catch (RebalanceInProgressException e) {
      LOG.debug("ingest: commit of {} deferred: a rebalance is in progress", uncommitted.keySet());
    } catch (CommitFailedException e) {
      // The partitions went elsewhere; their new owner reads these records again.
      LOG.warn("ingest: commit of {} failed: {}", uncommitted.keySet(), e.toString());
      uncommitted.clear();
    }
  }

  /** Inside onPartitionsRevoked, the last moment the offsets of those partitions are ours. */
  private void commitRevoked(Collection<TopicPartition> partitions) {
    Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = uncommitted.remove(tp);
      if (o != null) {
        mine.put(tp, o);
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(mine);
    } catch (RuntimeException e) {
      LOG.warn("ingest: commit of revoked {} failed: {}", mine.keySet(), e.toString());
    }
  }

  private Future<Object> evaluate(EventBatch batch) {
    return vertx.eventBus().request(addresses.events(), batch, toEvaluate).map(m -> null);
  }

  private Future<Object> partitionOp(String op, Collection<Integer> partitions,
      JsonObject extra) {
    JsonObject q = extra == null ? new JsonObject() : extra.copy();
    q.put("op", op).put("partitions", new JsonArray(new ArrayList<>(partitions)));
    return vertx.eventBus()
        .request(addresses.partitions(), q,
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(EVALUATE_TIMEOUT_MS))
        .map(m -> null);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WakeupException();
    } catch (ExecutionException e) {
      throw new IllegalStateException("evaluate did not take the events: "
          + e.getCause().getMessage(), e.getCause());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Called inside {@code poll}, on the ingest thread. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      settleOrRewind();
      commitRevoked(partitions);
      dropped(partitions, "revoked");
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      settleOrRewind();
      // Lost, not revoked: someone else may own them already, so their offsets are not ours.
      partitions.forEach(uncommitted::remove);
      dropped(partitions, "lost");
    }

    private void dropped(Collection<TopicPartition> partitions, String how) {
      if (partitions.isEmpty()) {
        return;
      }
      List<Integer> ps = new ArrayList<>();
      for (TopicPartition tp : partitions) {
        ps.add(tp.partition());
        replayEnds.remove(tp.partition());
        assigned.remove(tp.partition());
      }
      metrics.assigned(assigned.size());
      LOG.info("partitions {} of {} {}", ps, Topics.EVENTS, how);
      if (!stopping) {
        await(partitionOp("revoked", ps, null));
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      settleOrRewind(); // the seeks below must not race a batch of a partition we keep
      long t0 = System.currentTimeMillis();
      Set<TopicPartition> tps = new HashSet<>(partitions);
      Set<Integer> ps = new TreeSet<>();
      tps.forEach(tp -> ps.add(tp.partition()));
      assigned.addAll(ps);
      metrics.assigned(assigned.size());
      List<Integer> replaying = new ArrayList<>();
      long replayed = 0;
      Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(tps);
      boolean evaluatedBefore = committed.values().stream().anyMatch(c -> c != null);
      if (config.replayRecords() > 0 && evaluatedBefore) {
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(tps);
        Map<TopicPartition, OffsetAndTimestamp> byTime = new HashMap<>();
        if (config.replayWindowMs() > 0) {
          Map<TopicPartition, Long> q = new HashMap<>();
          tps.forEach(tp -> q.put(tp, t0 - config.replayWindowMs()));
          byTime = consumer.offsetsForTimes(q);
        }
        for (TopicPartition tp : tps) {
          OffsetAndMetadata c = committed.get(tp);
          if (c == null) {
            continue; // a new group: nothing was evaluated yet, so there is nothing to rebuild
          }
          long end = c.offset();
          long start = Math.max(begin.get(tp), end - config.replayRecords());
          if (config.replayWindowMs() > 0) {
            OffsetAndTimestamp t = byTime.get(tp);
            start = Math.max(start, t == null ? end : t.offset());
          }
          if (start < end) {
            consumer.seek(tp, start);
            replayEnds.put(tp.partition(), end);
            replaying.add(tp.partition());
            replayed += end - start;
          }
        }
      }
      // Even with nothing committed: a daemon may have published and died before its first commit.
      // Bounded by count, not age: an alert can be firing for longer than any replay window, and
      // alert and command records are few.
      int eventsPartitions = consumer.partitionsFor(Topics.EVENTS).size();
      PublishedReader.Published pub = PublishedReader.read(
          KafkaClientConfigs.consumer(config, bootstrapServers), ps, eventsPartitions,
          Math.max(config.replayRecords(), 1000), 0, t0);
      vertx.eventBus().publish(addresses.commandsSent(), new JsonArray(pub.commandIds()),
          new DeliveryOptions().setLocalOnly(true));
      await(partitionOp("assigned", ps, new JsonObject()
          .put("replaying", new JsonArray(replaying))
          .put("alerts", new JsonArray(new ArrayList<Object>(pub.alerts())))));
      LOG.info("partitions {} of {} assigned: replaying up to {} records of {} to rebuild their"
          + " jobs; read back {} alert changes and {} commands ({} ms)", ps, Topics.EVENTS,
          replayed, replaying, pub.alerts().size(), pub.commandIds().size(),
          System.currentTimeMillis() - t0);
    }
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (consumer != null) {
      consumer.wakeup();
    }
    Future<Void> joined = thread == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          thread.join(10_000);
          return null;
        });
    return joined
        .transform(ar -> deadLetters == null ? Future.succeededFuture() : deadLetters.close());
  }

  /** One poll, decoded: what to send to evaluate, in order, and what to commit after. */
  private final class Prepared {
    private final ConsumerRecords<ByteBuffer, ByteBuffer> records;
    private final List<Supplier<Future<Object>>> sends;
    private final Map<TopicPartition, OffsetAndMetadata> offsets;

    Prepared(ConsumerRecords<ByteBuffer, ByteBuffer> records, List<Supplier<Future<Object>>> sends,
        Map<TopicPartition, OffsetAndMetadata> offsets) {
      this.records = records;
      this.sends = sends;
      this.offsets = offsets;
    }

    Inflight send() {
      List<Future<Object>> sent = new ArrayList<>(sends.size());
      for (Supplier<Future<Object>> s : sends) {
        sent.add(s.get());
      }
      return new Inflight(records, sent, offsets);
    }
  }

  /** A poll's batches that evaluate has been sent. */
  private record Inflight(ConsumerRecords<ByteBuffer, ByteBuffer> records,
      List<Future<Object>> sent, Map<TopicPartition, OffsetAndMetadata> offsets) {}
}
