package dev.traininghealth.rules.event;

import java.util.Objects;

/**
 * The fields every event carries: which job and run it belongs to, where it stands in the run
 * and when it was made.
 *
 * <p>{@code seq} counts the events of one run from 0, so the daemon can see gaps (dropped events)
 * and duplicates. {@code worker} is {@code null} unless several processes train one job.
 */
public final class Header {
  /** The only wire-format version this code speaks. */
  public static final int VERSION = 1;

  private final String job;
  private final String run;
  private final long seq;
  private final long ts;
  private final long iter;
  private final int epoch;
  private final String worker;

  private Header(String job, String run, long seq, long ts, long iter, int epoch, String worker) {
    this.job = requireText(job, "job");
    this.run = requireText(run, "run");
    if (seq < 0) {
      throw new IllegalArgumentException("seq must be >= 0, got " + seq);
    }
    if (iter < 0) {
      throw new IllegalArgumentException("iter must be >= 0, got " + iter);
    }
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
    this.seq = seq;
    this.ts = ts;
    this.iter = iter;
    this.epoch = epoch;
    this.worker = worker == null || worker.isEmpty() ? null : worker;
  }

  /** A header; throws {@link IllegalArgumentException} naming the first field that is invalid. */
  public static Header of(
      String job, String run, long seq, long ts, long iter, int epoch, String worker) {
    return new Header(job, run, seq, ts, iter, epoch, worker);
  }

  private static String requireText(String s, String field) {
    if (s == null || s.isEmpty()) {
      throw new IllegalArgumentException(field + " must be a non-empty string");
    }
    if (s.length() > 256) {
      throw new IllegalArgumentException(field + " is longer than 256 characters");
    }
    return s;
  }

  public String job() {
    return job;
  }

  public String run() {
    return run;
  }

  public long seq() {
    return seq;
  }

  public long ts() {
    return ts;
  }

  public long iter() {
    return iter;
  }

  public int epoch() {
    return epoch;
  }

  /** The worker id, or {@code null} for a job trained by one process. */
  public String worker() {
    return worker;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Header)) {
      return false;
    }
    Header h = (Header) o;
    return seq == h.seq
        && ts == h.ts
        && iter == h.iter
        && epoch == h.epoch
        && job.equals(h.job)
        && run.equals(h.run)
        && Objects.equals(worker, h.worker);
  }

  @Override
  public int hashCode() {
    return Objects.hash(job, run, seq, ts, iter, epoch, worker);
  }

  @Override
  public String toString() {
    return "job=" + job + " run=" + run + " seq=" + seq + " iter=" + iter + " epoch=" + epoch
        + (worker == null ? "" : " worker=" + worker);
  }
}
