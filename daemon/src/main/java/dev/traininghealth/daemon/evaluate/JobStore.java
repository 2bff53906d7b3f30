package dev.traininghealth.daemon.evaluate;

import dev.traininghealth.rules.rule.Alert;
import dev.traininghealth.rules.rule.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs the daemon tracks, at most {@code maxJobs}: beyond that the least recently seen job is
 * evicted (its series leave /metrics, it is counted and logged), so memory stays bounded whatever
 * the agents send. Owned by the evaluate verticle; not thread-safe.
 */
final class JobStore {
  private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);

  private final int maxJobs;
  private final int seriesPoints;
  private final JobMetrics jobMetrics;
  private final AlertMetrics alertMetrics;
  private final StreamMetrics streamMetrics;
  private RuleSet rules;
  private java.util.function.Consumer<String> onForget = job -> {};
  // Access order: iteration starts at the least recently seen job.
  private final LinkedHashMap<String, JobState> jobs = new LinkedHashMap<>(64, 0.75f, true);
  // The same jobs, for reads that must not count as activity (the API's).
  private final Map<String, JobState> index = new HashMap<>();

  JobStore(RuleSet rules, int maxJobs, int seriesPoints, JobMetrics jobMetrics,
      AlertMetrics alertMetrics) {
    this(rules, maxJobs, seriesPoints, jobMetrics, alertMetrics,
        new StreamMetrics(new io.prometheus.client.CollectorRegistry()));
  }

  JobStore(RuleSet rules, int maxJobs, int seriesPoints, JobMetrics jobMetrics,
      AlertMetrics alertMetrics, StreamMetrics streamMetrics) {
    this.rules = rules;
    this.maxJobs = maxJobs;
    this.seriesPoints = seriesPoints;
    this.jobMetrics = jobMetrics;
    this.alertMetrics = alertMetrics;
    this.streamMetrics = streamMetrics;
  }

  /** Told the id of every job the store drops, whatever the reason. */
  void onForget(java.util.function.Consumer<String> listener) {
    this.onForget = listener;
  }

  /**
   * Drops the jobs whose events come from {@code partitions} (they were assigned to another
   * daemon): their series leave /metrics. Returns how many.
   */
  int removePartitions(java.util.Collection<Integer> partitions) {
    int n = 0;
    Iterator<Map.Entry<String, JobState>> it = jobs.entrySet().iterator();
    while (it.hasNext()) {
      JobState s = it.next().getValue();
      if (partitions.contains(s.partition())) {
        it.remove();
        drop(s);
        n++;
      }
    }
    if (n > 0) {
      jobMetrics.tracked(jobs.size());
    }
    return n;
  }

  /**
   * Evaluates every job, and jobs seen from now on, under {@code next}; returns, per job, the
   * alerts retired because their rule went away or changed (see {@link JobState#replaceRules}).
   */
  Map<JobState, List<Alert>> replaceRules(RuleSet next) {
    this.rules = next;
    Map<JobState, List<Alert>> retired = new LinkedHashMap<>();
    for (JobState s : jobs.values()) {
      List<Alert> r = s.replaceRules(next);
      if (!r.isEmpty()) {
        retired.put(s, r);
      }
    }
    return retired;
  }

  /** Evicts the jobs not seen for {@code idleMs} (0: never); returns how many. */
  int evictIdle(long nowMs, long idleMs) {
    if (idleMs <= 0) {
      return 0;
    }
    int n = 0;
    // Access order: the eldest is the least recently seen, so stop at the first that is not idle.
    Iterator<Map.Entry<String, JobState>> it = jobs.entrySet().iterator();
    while (it.hasNext()) {
      JobState s = it.next().getValue();
      if (nowMs - s.lastSeenMs() < idleMs) {
        break;
      }
      it.remove();
      forget(s);
      streamMetrics.idleEvicted();
      LOG.info("evicted job '{}': no events for {} s (th.daemon.jobs.idle.evict)", s.job(),
          (nowMs - s.lastSeenMs()) / 1000);
      n++;
    }
    if (n > 0) {
      jobMetrics.tracked(jobs.size());
    }
    return n;
  }

  /** The job's state, created (and the oldest job evicted if need be) when it is new. */
  JobState touch(String job, long nowMs) {
    JobState s = jobs.get(job);
    if (s != null) {
      return s;
    }
    if (jobs.size() >= maxJobs) {
      evictEldest();
    }
    s = new JobState(job, rules, seriesPoints, jobMetrics.newJob(job), streamMetrics, nowMs);
    jobs.put(job, s);
    index.put(job, s);
    jobMetrics.tracked(jobs.size());
    return s;
  }

  private void evictEldest() {
    Iterator<Map.Entry<String, JobState>> it = jobs.entrySet().iterator();
    JobState old = it.next().getValue();
    it.remove();
    forget(old);
    LOG.info("evicted job '{}', the least recently seen, to stay within {} jobs", old.job(),
        maxJobs);
  }

  /** Drops what is kept about a job that already left {@link #jobs}. */
  private void forget(JobState old) {
    jobMetrics.evicted();
    drop(old);
  }

  /** Drops what is kept about a job that left {@link #jobs}, without counting an eviction. */
  private void drop(JobState old) {
    index.remove(old.job());
    onForget.accept(old.job());
    streamMetrics.removeJob(old.metrics());
    jobMetrics.removeJob(old.metrics());
    if (old.metrics().exported()) {
      alertMetrics.removeJob(old.alerts());
    }
  }

  /** The job's state without touching its recency, or null. */
  JobState peek(String job) {
    return index.get(job);
  }

  /** A snapshot of the jobs, to iterate while the store changes. */
  List<JobState> all() {
    return new ArrayList<>(jobs.values());
  }

  int size() {
    return jobs.size();
  }
}
