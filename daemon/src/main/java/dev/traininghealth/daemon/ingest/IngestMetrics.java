package dev.traininghealth.daemon.ingest;

import dev.traininghealth.rules.event.EventType;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/** What the ingest verticle counts; every label has a bounded set of values. */
public final class IngestMetrics {
  public static final String EVENTS_TOTAL = "th_events_total";
  public static final String DEAD_LETTERS_TOTAL = "th_dead_letters_total";
  public static final String DEAD_LETTERS_UNSENT_TOTAL = "th_dead_letters_unsent_total";

  private final Counter events;
  private final Counter deadLetters;
  private final Counter deadLettersUnsent;

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
  }

  public void event(EventType type) {
    events.labels(type.wireName()).inc();
  }

  public void deadLetter(DeadLetterReason reason) {
    deadLetters.labels(reason.label()).inc();
  }

  public void deadLetterUnsent() {
    deadLettersUnsent.inc();
  }
}
