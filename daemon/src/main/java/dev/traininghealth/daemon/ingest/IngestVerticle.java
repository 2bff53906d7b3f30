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
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.producer.KafkaProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads {@link Topics#EVENTS} in the daemon's consumer group, decodes each record and hands the
 * events of one poll to the evaluate verticle as one {@link EventBatch}; what does not decode
 * goes to the dead-letter topic. Bad input never stops it.
 *
 * <p>It polls explicitly and polls again only once the evaluate verticle has answered for the
 * previous batch: that is the back-pressure, and since offsets are committed by the next poll,
 * an event is committed only after it was evaluated (at least once). Deploy it as a worker: JSON
 * decoding is CPU work that must not hold an event loop.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
  private static final long RETRY_DELAY_MS = 500;

  private final DaemonConfig config;
  private final String bootstrapServers;
  private final Addresses addresses;
  private final IngestMetrics metrics;
  private final EventCodec codec = new EventCodec();
  private KafkaConsumer<String, byte[]> consumer;
  private DeadLetters deadLetters;
  private DeliveryOptions toEvaluate;
  private volatile boolean stopping;

  public IngestVerticle(
      DaemonConfig config, String bootstrapServers, Addresses addresses, IngestMetrics metrics) {
    this.config = config;
    this.bootstrapServers = bootstrapServers;
    this.addresses = addresses;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    toEvaluate = new DeliveryOptions().setCodecName(addresses.eventBatchCodec()).setLocalOnly(true);
    KafkaProducer<String, byte[]> producer =
        KafkaProducer.create(
            vertx,
            KafkaClientConfigs.producer(config, bootstrapServers, "dlq"),
            new StringSerializer(),
            new ByteArraySerializer());
    deadLetters = new DeadLetters(producer, metrics);
    consumer =
        KafkaConsumer.create(
            vertx,
            KafkaClientConfigs.consumer(config, bootstrapServers),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    consumer.exceptionHandler(err -> LOG.warn("Kafka consumer: {}", err.toString()));
    return consumer.subscribe(Topics.EVENTS).onSuccess(v -> pollNext());
  }

  private void pollNext() {
    if (stopping) {
      return;
    }
    consumer
        .poll(POLL_TIMEOUT)
        .compose(this::process)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                pollNext();
              } else if (!stopping) {
                LOG.warn("ingest: {}; retrying in {} ms", ar.cause().toString(), RETRY_DELAY_MS);
                vertx.setTimer(RETRY_DELAY_MS, id -> pollNext());
              }
            });
  }

  /** Decodes one poll's records; completes when the evaluate verticle has taken the events. */
  private Future<Void> process(KafkaConsumerRecords<String, byte[]> records) {
    if (records.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Event> events = new ArrayList<>(records.size());
    for (ConsumerRecord<String, byte[]> r : records.records()) {
      Event e = decode(r);
      if (e != null) {
        metrics.event(e.type());
        events.add(e);
      }
    }
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return vertx
        .eventBus()
        .request(addresses.events(), new EventBatch(events), toEvaluate)
        .mapEmpty();
  }

  /** The record's event, or null after dead-lettering it. */
  private Event decode(ConsumerRecord<String, byte[]> r) {
    Event e;
    try {
      e = codec.decode(r.value());
    } catch (MalformedEventException ex) {
      deadLetters.send(r, DeadLetterReason.of(ex), ex.getMessage());
      return null;
    }
    if (r.key() != null && !r.key().equals(e.job())) {
      deadLetters.send(r, DeadLetterReason.KEY_MISMATCH,
          "record key '" + r.key() + "' is not the event's job '" + e.job() + "'");
      return null;
    }
    return e;
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> closeConsumer = consumer == null ? Future.succeededFuture() : consumer.close();
    return closeConsumer
        .transform(ar -> deadLetters == null ? Future.succeededFuture() : deadLetters.close());
  }
}
