package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.event.Event;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * The events of one Kafka poll, in partition order, on their way from ingest to evaluate. Sent
 * over the event bus by reference (events are immutable), never serialised.
 */
public final class EventBatch {
  private final List<Event> events;

  public EventBatch(List<Event> events) {
    this.events = List.copyOf(events);
  }

  public List<Event> events() {
    return events;
  }

  /** A local-only codec under {@code name}; register it once per daemon. */
  public static MessageCodec<EventBatch, EventBatch> codec(String name) {
    return new MessageCodec<>() {
      @Override
      public void encodeToWire(Buffer buffer, EventBatch batch) {
        throw new UnsupportedOperationException("event batches never leave the JVM");
      }

      @Override
      public EventBatch decodeFromWire(int pos, Buffer buffer) {
        throw new UnsupportedOperationException("event batches never leave the JVM");
      }

      @Override
      public EventBatch transform(EventBatch batch) {
        return batch;
      }

      @Override
      public String name() {
        return name;
      }

      @Override
      public byte systemCodecID() {
        return -1;
      }
    };
  }
}
