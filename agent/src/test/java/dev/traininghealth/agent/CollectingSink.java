package dev.traininghealth.agent;

import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Event;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An in-memory sink for tests that look at what the listener measured, without Kafka. */
public final class CollectingSink implements EventSink {
  public final List<Event> events = new CopyOnWriteArrayList<>();
  volatile boolean closed;

  @Override
  public boolean offer(Event event) {
    events.add(event);
    return true;
  }

  @Override
  public long dropped() {
    return 0;
  }

  @Override
  public void close() {
    closed = true;
  }

  @SuppressWarnings("unchecked")
  public <T extends Event> List<T> ofType(Class<T> type) {
    return (List<T>) events.stream().filter(type::isInstance).toList();
  }
}
