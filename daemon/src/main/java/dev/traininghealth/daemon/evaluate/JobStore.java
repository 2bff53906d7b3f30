package dev.traininghealth.daemon.evaluate;

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

  private final RuleSet rules;
  private final int maxJobs;
  private final int seriesPoints;
  private final JobMetrics jobMetrics;
  private final AlertMetrics alertMetrics;
  // Access order: iteration starts at the least recently seen job.
  private final LinkedHashMap<String, JobState> jobs = new LinkedHashMap<>(64, 0.75f, true);
  // The same jobs, for reads that must not count as activity (the API's).
  private final Map<String, JobState> index = new HashMap<>();

  JobStore(RuleSet rules, int maxJobs, int seriesPoints, JobMetrics jobMetrics,
      AlertMetrics alertMetrics) {
    this.rules = rules;
    this.maxJobs = maxJobs;
    this.seriesPoints = seriesPoints;
    this.jobMetrics = jobMetrics;
    this.alertMetrics = alertMetrics;
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
    s = new JobState(job, rules, seriesPoints, jobMetrics.newJob(job), nowMs);
    jobs.put(job, s);
    index.put(job, s);
    jobMetrics.tracked(jobs.size());
    return s;
  }

  private void evictEldest() {
    Iterator<Map.Entry<String, JobState>> it = jobs.entrySet().iterator();
    JobState old = it.next().getValue();
    it.remove();
    index.remove(old.job());
    jobMetrics.evicted();
    jobMetrics.removeJob(old.metrics());
    if (old.metrics().exported()) {
      alertMetrics.removeJob(old.alerts());
    }
    LOG.info("evicted job '{}', the least recently seen, to stay within {} jobs", old.job(),
        maxJobs);
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
