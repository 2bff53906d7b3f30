package dev.traininghealth.daemon.ingest;

import dev.traininghealth.daemon.Topics;
import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes unreadable records to {@link Topics#EVENTS_DLQ} unchanged (key and bytes, so they can be
 * replayed once fixed), with where they came from and why in headers.
 */
final class DeadLetters {
  /** The full reason, as the codec gave it. */
  static final String HEADER_REASON = "th.reason";
  /** The reason's class, as in the {@code reason} label of {@code th_dead_letters_total}. */
  static final String HEADER_REASON_CLASS = "th.reason.class";
  /** {@code topic/partition@offset} of the original record. */
  static final String HEADER_SOURCE = "th.source";

  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  private static final int MAX_REASON_CHARS = 1_000;

  private final KafkaProducer<String, byte[]> producer;
  private final IngestMetrics metrics;
  private long count;

  DeadLetters(KafkaProducer<String, byte[]> producer, IngestMetrics metrics) {
    this.producer = producer;
    this.metrics = metrics;
  }

  /** Counts the record and sends it on; never fails (a failure to send is counted and logged). */
  void send(ConsumerRecord<String, byte[]> record, DeadLetterReason reason, String message) {
    metrics.deadLetter(reason);
    String source = record.topic() + "/" + record.partition() + "@" + record.offset();
    count++;
    // The first few tell the operator what is wrong; after that the counter says how often.
    if (count <= 10 || count % 1_000 == 0) {
      LOG.warn("dead letter #{} from {}: {} ({})", count, source, message, reason.label());
    }
    String reasonText =
        message.length() > MAX_REASON_CHARS ? message.substring(0, MAX_REASON_CHARS) : message;
    KafkaProducerRecord<String, byte[]> out =
        KafkaProducerRecord.create(Topics.EVENTS_DLQ, record.key(), record.value())
            .addHeader(HEADER_REASON, reasonText)
            .addHeader(HEADER_REASON_CLASS, reason.label())
            .addHeader(HEADER_SOURCE, source);
    producer
        .send(out)
        .onFailure(
            err -> {
              metrics.deadLetterUnsent();
              LOG.warn("could not write a dead letter from {} to {}: {}", source,
                  Topics.EVENTS_DLQ, err.toString());
            });
  }

  Future<Void> close() {
    return producer.close();
  }
}
