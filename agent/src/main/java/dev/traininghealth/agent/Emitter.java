package dev.traininghealth.agent;

import dev.traininghealth.rules.event.Event;
import dev.traininghealth.rules.event.Header;

/** How {@link BoundaryTask}s publish: headers from the listener's run, events to its sink. */
public interface Emitter {
  /** The header for a new event of this run (next {@code seq}, now as {@code ts}). */
  Header header(long iter, int epoch);

  /** Hands an event to the transport; never blocks. */
  void emit(Event event);

  /** Events dropped so far in this run. */
  long dropped();
}
