package dev.traininghealth.daemon.ingest;

import dev.traininghealth.rules.event.EventType;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/** What the ingest verticle counts; every label has a bounded set of values. */
public final class IngestMetrics {
  public static final String EVENTS_TOTAL = "th_events_total";
  public static final String DEAD_LETTERS_TOTAL = "th_dead_letters_total";
  public static final String DEAD_LETTERS_UNSENT_TOTAL = "th_dead_letters_unsent_total";
  public static final String REPLAYED_EVENTS_TOTAL = "th_replayed_events_total";
  public static final String PARTITIONS_ASSIGNED = "th_partitions_assigned";

  private final Counter events;
  private final Counter deadLetters;
  private final Counter deadLettersUnsent;
  private final Counter replayed;
  private final io.prometheus.client.Gauge assigned;
  // labels() per event hashes a fresh list of label values; the ingest thread alone writes here.
  private final Counter.Child[] eventsByType = new Counter.Child[EventType.values().length];

  public IngestMetrics(CollectorRegistry registry) {
    events =
        Counter.build()
            .name(EVENTS_TOTAL)
            .help("Events read from th.events and decoded, by event type.")
            .labelNames("type")
            .register(registry);
    deadLetters =
        Counter.build()
            .name(DEAD_LETTERS_TOTAL)
            .help("Records of th.events that could not be read, by class of reason;"
                + " each goes to th.events.dlq with the full reason.")
            .labelNames("reason")
            .register(registry);
    deadLettersUnsent =
        Counter.build()
            .name(DEAD_LETTERS_UNSENT_TOTAL)
            .help("Dead letters that could not be written to th.events.dlq.")
            .register(registry);
    replayed =
        Counter.build()
            .name(REPLAYED_EVENTS_TOTAL)
            .help("Events of th.events read again, below the committed offset, to rebuild the"
                + " state of jobs whose partitions this daemon was assigned.")
            .register(registry);
    assigned =
        io.prometheus.client.Gauge.build()
            .name(PARTITIONS_ASSIGNED)
            .help("Partitions of th.events assigned to this daemon now.")
            .register(registry);
  }

  public void replayed(int n) {
    replayed.inc(n);
  }

  public void assigned(int partitions) {
    assigned.set(partitions);
  }

  public void event(EventType type) {
    Counter.Child c = eventsByType[type.ordinal()];
    if (c == null) {
      // Created on first use, so /metrics shows only the types that came.
      c = events.labels(type.wireName());
      eventsByType[type.ordinal()] = c;
    }
    c.inc();
  }

  public void deadLetter(DeadLetterReason reason) {
    deadLetters.labels(reason.label()).inc();
  }

  public void deadLetterUnsent() {
    deadLettersUnsent.inc();
  }
}
