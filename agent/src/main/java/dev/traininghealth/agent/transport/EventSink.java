package dev.traininghealth.agent.transport;

import dev.traininghealth.rules.event.Event;

/** Where the listener hands its events. Implementations never block the caller. */
public interface EventSink extends AutoCloseable {
  /** Hands one event over; returns false (and counts it) when it had to be dropped. */
  boolean offer(Event event);

  /** Events lost so far: dropped at the queue plus those the transport failed to deliver. */
  long dropped();

  /** Sends what is queued, waiting at most the configured close timeout, then releases all. */
  @Override
  void close();
}
