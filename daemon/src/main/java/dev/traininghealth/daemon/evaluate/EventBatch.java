package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.event.Event;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.util.List;

/**
 * Events of one partition of {@code th.events} from one Kafka poll, in offset order, on their way
 * from ingest to evaluate. Sent over the event bus by reference (events are immutable), never
 * serialised. A replayed batch was already evaluated by an earlier owner of the partition (its
 * offsets are below the committed one): it rebuilds the jobs' state and publishes nothing.
 */
public final class EventBatch {
  /** Partition of a batch that came from no particular partition (tests). */
  public static final int NO_PARTITION = -1;

  private final List<Event> events;
  private final int partition;
  private final boolean replay;

  public EventBatch(List<Event> events) {
    this(events, NO_PARTITION, false);
  }

  public EventBatch(List<Event> events, int partition, boolean replay) {
    this.events = List.copyOf(events);
    this.partition = partition;
    this.replay = replay;
  }

  public List<Event> events() {
    return events;
  }

  /** The partition of {@code th.events} the events came from, or {@link #NO_PARTITION}. */
  public int partition() {
    return partition;
  }

  /** True when the events are replayed to rebuild state; nothing may be published for them. */
  public boolean replay() {
    return replay;
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
