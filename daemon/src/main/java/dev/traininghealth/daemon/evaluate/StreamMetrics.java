package dev.traininghealth.daemon.evaluate;

import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;

/**
 * The health of the event streams themselves: gaps and duplicates in each job's {@code seq}, and
 * jobs evicted for being idle. Per-job series only for exported jobs, like {@link JobMetrics}.
 */
public final class StreamMetrics {
  public static final String SEQ_GAPS_TOTAL = "th_event_seq_gaps_total";
  public static final String DUPLICATES_TOTAL = "th_event_duplicates_total";
  public static final String JOBS_IDLE_EVICTED_TOTAL = "th_jobs_idle_evicted_total";

  private final Counter gaps;
  private final Counter duplicates;
  private final Counter idleEvicted;

  public StreamMetrics(CollectorRegistry registry) {
    gaps =
        Counter.build()
            .name(SEQ_GAPS_TOTAL)
            .help("Gaps in the seq of a job's run: events lost between agent and daemon (the"
                + " agent's own drops are th_agent_dropped_events).")
            .labelNames("job")
            .register(registry);
    duplicates =
        Counter.build()
            .name(DUPLICATES_TOTAL)
            .help("Events of a job dropped before evaluation because their run had already"
                + " sent that seq (redelivery, retries).")
            .labelNames("job")
            .register(registry);
    idleEvicted =
        Counter.build()
            .name(JOBS_IDLE_EVICTED_TOTAL)
            .help("Jobs dropped from memory after th.daemon.jobs.idle.evict without events"
                + " (also counted in th_jobs_evicted_total).")
            .register(registry);
  }

  void gap(JobMetrics.Series s) {
    if (s.exported()) {
      gaps.labels(s.job()).inc();
    }
  }

  void duplicate(JobMetrics.Series s) {
    if (s.exported()) {
      duplicates.labels(s.job()).inc();
    }
  }

  void idleEvicted() {
    idleEvicted.inc();
  }

  void removeJob(JobMetrics.Series s) {
    if (s.exported()) {
      gaps.remove(s.job());
      duplicates.remove(s.job());
    }
  }
}
