package dev.traininghealth.daemon.ingest;

import dev.traininghealth.daemon.Topics;
import io.vertx.core.Future;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes unreadable records to {@link Topics#EVENTS_DLQ} unchanged (key and bytes, so they can be
 * replayed once fixed; only values over {@link #MAX_VALUE_BYTES} are cut), with where they came
 * from and why in headers.
 */
final class DeadLetters {
  /** The full reason, as the codec gave it. */
  static final String HEADER_REASON = "th.reason";
  /** The reason's class, as in the {@code reason} label of {@code th_dead_letters_total}. */
  static final String HEADER_REASON_CLASS = "th.reason.class";
  /** {@code topic/partition@offset} of the original record. */
  static final String HEADER_SOURCE = "th.source";
  /** Set when the value was cut to {@link #MAX_VALUE_BYTES}: the original size in bytes. */
  static final String HEADER_ORIGINAL_BYTES = "th.original.bytes";
  /**
   * Values longer than this are dead-lettered cut to this length. An oversized record (the
   * codec's limit is 1 MiB) can reach {@code th.events} compressed, but the dead-letter producer
   * could not send it back whole (its {@code max.request.size} is 1 MiB by default), so it would
   * be counted but lost; its head is enough to see what it was.
   */
  static final int MAX_VALUE_BYTES = 512 * 1024;

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
  void send(ConsumerRecord<ByteBuffer, ByteBuffer> record, DeadLetterReason reason,
      String message) {
    metrics.deadLetter(reason);
    String source = record.topic() + "/" + record.partition() + "@" + record.offset();
    count++;
    // The first few tell the operator what is wrong; after that the counter says how often.
    if (count <= 10 || count % 1_000 == 0) {
      LOG.warn("dead letter #{} from {}: {} ({})", count, source, message, reason.label());
    }
    String reasonText =
        message.length() > MAX_REASON_CHARS ? message.substring(0, MAX_REASON_CHARS) : message;
    byte[] value = RecordKeys.bytes(record.value());
    boolean cut = value != null && value.length > MAX_VALUE_BYTES;
    KafkaProducerRecord<String, byte[]> out =
        KafkaProducerRecord.create(Topics.EVENTS_DLQ, RecordKeys.text(record.key()),
                cut ? Arrays.copyOf(value, MAX_VALUE_BYTES) : value)
            .addHeader(HEADER_REASON, reasonText)
            .addHeader(HEADER_REASON_CLASS, reason.label())
            .addHeader(HEADER_SOURCE, source);
    if (cut) {
      out.addHeader(HEADER_ORIGINAL_BYTES, String.valueOf(value.length));
    }
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
