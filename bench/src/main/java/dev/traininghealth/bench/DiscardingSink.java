package dev.traininghealth.bench;

import dev.traininghealth.agent.transport.EventSink;
import dev.traininghealth.rules.event.Event;

/**
 * Counts events and drops them: the agent's cost on the training thread alone. (The Kafka sink
 * encodes and sends on its own thread; the benchmark measures that separately, with a broker.)
 */
final class DiscardingSink implements EventSink {
  private long count;

  @Override
  public boolean offer(Event event) {
    count++;
    return true;
  }

  @Override
  public long dropped() {
    return 0;
  }

  @Override
  public void close() {}

  long count() {
    return count;
  }
}
