package dev.traininghealth.rules.event;

import java.util.Objects;

/**
 * One record on {@code th.events}: the common {@link Header} plus a type-specific body. Events
 * have no {@code equals}: two events are the same when they encode to the same bytes.
 */
public abstract class Event {
  private final Header header;

  Event(Header header) {
    this.header = Objects.requireNonNull(header, "header");
  }

  public abstract EventType type();

  public final Header header() {
    return header;
  }

  public final String job() {
    return header.job();
  }

  public final long iter() {
    return header.iter();
  }

  @Override
  public String toString() {
    return type().wireName() + "{" + header + "}";
  }
}
