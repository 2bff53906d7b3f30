package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.event.NonFinite;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.Counter;
import io.prometheus.client.Gauge;

/**
 * Per-job series on /metrics. At most {@code maxJobs} jobs get series (the first seen, and later
 * ones as evicted jobs free their place): with several label values per job a runaway number of
 * jobs would otherwise overwhelm Prometheus. A job beyond the cap is still tracked, evaluated and
 * alerted on; it is only counted in {@value #JOBS_NOT_EXPORTED_TOTAL}.
 */
public final class JobMetrics {
  public static final String JOB_LOSS = "th_job_loss";
  public static final String JOB_GRADIENT_NORM = "th_job_gradient_norm";
  public static final String JOB_LEARNING_RATE = "th_job_learning_rate";
  public static final String JOB_ITERATION = "th_job_iteration";
  public static final String JOB_LAMBDA_MAX = "th_job_lambda_max";
  public static final String JOB_LAMBDA_MIN = "th_job_lambda_min";
  public static final String JOB_EVENTS_TOTAL = "th_job_events_total";
  public static final String NONFINITE_EVENTS_TOTAL = "th_nonfinite_events_total";
  public static final String AGENT_DROPPED_EVENTS = "th_agent_dropped_events";
  public static final String JOBS_TRACKED = "th_jobs_tracked";
  public static final String JOBS_EXPORTED = "th_jobs_exported";
  public static final String JOBS_NOT_EXPORTED_TOTAL = "th_jobs_not_exported_total";
  public static final String JOBS_EVICTED_TOTAL = "th_jobs_evicted_total";
  public static final String EVENTS_EVALUATED_TOTAL = "th_events_evaluated_total";

  private final int maxJobs;
  private final Gauge loss;
  private final Gauge gradientNorm;
  private final Gauge learningRate;
  private final Gauge iteration;
  private final Gauge lambdaMax;
  private final Gauge lambdaMin;
  private final Counter jobEvents;
  private final Counter nonFinite;
  private final Gauge dropped;
  private final Gauge tracked;
  private final Gauge exported;
  private final Counter notExported;
  private final Counter evicted;
  private final Counter evaluated;
  private final Series unexported = new Series(null);
  private int exportedJobs;

  public JobMetrics(CollectorRegistry registry, int maxJobs) {
    this.maxJobs = maxJobs;
    loss = perJob(JOB_LOSS, "Latest loss of the job (mean over the minibatch); NaN when it was.")
        .register(registry);
    gradientNorm = perJob(JOB_GRADIENT_NORM, "Latest global L2 norm of the job's gradient.")
        .register(registry);
    learningRate = perJob(JOB_LEARNING_RATE, "Latest learning rate of the job.")
        .register(registry);
    iteration = perJob(JOB_ITERATION, "Latest iteration the job reported.").register(registry);
    lambdaMax = perJob(JOB_LAMBDA_MAX, "Latest estimate of the largest Hessian eigenvalue.")
        .register(registry);
    lambdaMin = perJob(JOB_LAMBDA_MIN, "Latest estimate of the most negative Hessian eigenvalue.")
        .register(registry);
    jobEvents =
        Counter.build()
            .name(JOB_EVENTS_TOTAL)
            .help("Events received from the job, all types.")
            .labelNames("job")
            .register(registry);
    nonFinite =
        Counter.build()
            .name(NONFINITE_EVENTS_TOTAL)
            .help("Non-finite findings of the job, by where they were (an iteration with a"
                + " non-finite loss counts as where=\"loss\").")
            .labelNames("job", "where")
            .register(registry);
    dropped = perJob(AGENT_DROPPED_EVENTS,
        "Events the job's agent reports it dropped so far in its current run.")
        .register(registry);
    tracked = Gauge.build().name(JOBS_TRACKED).help("Jobs held in memory.").register(registry);
    exported = Gauge.build().name(JOBS_EXPORTED).help("Jobs that have series on /metrics.")
        .register(registry);
    notExported =
        Counter.build()
            .name(JOBS_NOT_EXPORTED_TOTAL)
            .help("Jobs left off /metrics because th.daemon.metrics.jobs.max jobs already had"
                + " series; they are still evaluated and alerted on.")
            .register(registry);
    evicted =
        Counter.build()
            .name(JOBS_EVICTED_TOTAL)
            .help("Jobs dropped from memory, least recently seen first, to stay within"
                + " th.daemon.jobs.max.")
            .register(registry);
    // One series for all jobs: cheap to read however many jobs there are, and it counts the jobs
    // beyond th.daemon.metrics.jobs.max too.
    evaluated =
        Counter.build()
            .name(EVENTS_EVALUATED_TOTAL)
            .help("Events the rules evaluated, of all jobs (duplicates are not evaluated);"
                + " behind th_events_total while evaluation catches up.")
            .register(registry);
  }

  private static Gauge.Builder perJob(String name, String help) {
    return Gauge.build().name(name).help(help).labelNames("job");
  }

  /** The series of a new job; ones that do nothing when the cap is reached. */
  Series newJob(String job) {
    if (exportedJobs >= maxJobs) {
      notExported.inc();
      return unexported;
    }
    exportedJobs++;
    exported.set(exportedJobs);
    return new Series(job);
  }

  /** Removes a job's series, when it is evicted. */
  void removeJob(Series s) {
    if (!s.exported()) {
      return;
    }
    exportedJobs--;
    exported.set(exportedJobs);
    String job = s.job;
    for (Gauge g : new Gauge[] {loss, gradientNorm, learningRate, iteration, lambdaMax,
        lambdaMin, dropped}) {
      g.remove(job);
    }
    jobEvents.remove(job);
    for (NonFinite.Where w : NonFinite.Where.values()) {
      nonFinite.remove(job, w.wireName());
    }
  }

  void tracked(int jobs) {
    tracked.set(jobs);
  }

  void evicted() {
    evicted.inc();
  }

  /** One job's series, looked up once rather than on every event; all no-ops when not exported. */
  final class Series {
    private final String job; // null when the job is not exported
    private final Gauge.Child loss;
    private final Gauge.Child gradientNorm;
    private final Gauge.Child learningRate;
    private final Gauge.Child iteration;
    private final Counter.Child events;
    // Every iteration sets it: a labels() lookup per event showed in profiles.
    private final Gauge.Child dropped;
    private double lastDropped = Double.NaN;

    private Series(String job) {
      this.job = job;
      boolean on = job != null;
      this.loss = on ? JobMetrics.this.loss.labels(job) : null;
      this.gradientNorm = on ? JobMetrics.this.gradientNorm.labels(job) : null;
      this.learningRate = on ? JobMetrics.this.learningRate.labels(job) : null;
      this.iteration = on ? JobMetrics.this.iteration.labels(job) : null;
      this.events = on ? jobEvents.labels(job) : null;
      this.dropped = on ? JobMetrics.this.dropped.labels(job) : null;
    }

    boolean exported() {
      return job != null;
    }

    /** The job's label value; null when not exported. */
    String job() {
      return job;
    }

    void event() {
      evaluated.inc();
      if (job != null) {
        events.inc();
      }
    }

    void iteration(long iter, double l, double g, double lr) {
      if (job == null) {
        return;
      }
      iteration.set(iter);
      loss.set(l);
      if (!Double.isNaN(g)) {
        gradientNorm.set(g);
      }
      if (!Double.isNaN(lr)) {
        learningRate.set(lr);
      }
    }

    void curvature(double max, double min) {
      if (job == null) {
        return;
      }
      if (!Double.isNaN(max)) {
        lambdaMax.labels(job).set(max);
      }
      if (!Double.isNaN(min)) {
        lambdaMin.labels(job).set(min);
      }
    }

    void nonFinite(NonFinite.Where where) {
      if (job != null) {
        nonFinite.labels(job, where.wireName()).inc();
      }
    }

    void dropped(long n) {
      if (job != null && n != lastDropped) {
        lastDropped = n;
        dropped.set(n);
      }
    }
  }
}
