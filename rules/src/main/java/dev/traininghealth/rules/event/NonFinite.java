package dev.traininghealth.rules.event;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * NaN or infinite values found at one iteration, with enough provenance for a person to find
 * the cause: where they were, in which layer, in which batch, and which rows and columns.
 */
public final class NonFinite extends Event {
  /** Which tensor held the non-finite values. */
  public enum Where {
    LOSS,
    GRADIENT,
    PARAMETER,
    INPUT,
    LABEL,
    ACTIVATION;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Looks a wire name up; {@code null} when there is no such place. */
    public static Where fromWire(String s) {
      for (Where w : values()) {
        if (w.wireName().equals(s)) {
          return w;
        }
      }
      return null;
    }
  }

  private final Where where;
  private final String layer;
  private final long nanCount;
  private final long infCount;
  private final long batchIndex;
  private final List<Integer> rows;
  private final List<Integer> cols;
  private final String fingerprint;

  private NonFinite(
      Header header,
      Where where,
      String layer,
      long nanCount,
      long infCount,
      long batchIndex,
      List<Integer> rows,
      List<Integer> cols,
      String fingerprint) {
    super(header);
    this.where = Objects.requireNonNull(where, "where");
    this.layer = layer == null ? "" : layer;
    if (nanCount < 0 || infCount < 0) {
      throw new IllegalArgumentException("nan and inf counts must be >= 0");
    }
    this.nanCount = nanCount;
    this.infCount = infCount;
    this.batchIndex = batchIndex;
    this.rows = List.copyOf(rows);
    this.cols = List.copyOf(cols);
    this.fingerprint = fingerprint == null ? "" : fingerprint;
  }

  /**
   * A non-finite finding.
   *
   * @param batchIndex index of the minibatch within the epoch, or -1 when unknown
   * @param rows first offending rows (examples) of the batch, ascending; may be empty
   * @param cols first offending columns (features) of the batch, ascending; may be empty
   * @param fingerprint a hash of the batch's contents so it can be found in the data, or empty
   */
  public static NonFinite of(
      Header header,
      Where where,
      String layer,
      long nanCount,
      long infCount,
      long batchIndex,
      List<Integer> rows,
      List<Integer> cols,
      String fingerprint) {
    return new NonFinite(
        header, where, layer, nanCount, infCount, batchIndex, rows, cols, fingerprint);
  }

  @Override
  public EventType type() {
    return EventType.NONFINITE;
  }

  public Where where() {
    return where;
  }

  /** The layer (and parameter) concerned, or empty for the loss and the whole batch. */
  public String layer() {
    return layer;
  }

  public long nanCount() {
    return nanCount;
  }

  public long infCount() {
    return infCount;
  }

  public long batchIndex() {
    return batchIndex;
  }

  public List<Integer> rows() {
    return rows;
  }

  public List<Integer> cols() {
    return cols;
  }

  public String fingerprint() {
    return fingerprint;
  }

  @Override
  public String toString() {
    return super.toString() + " " + where.wireName() + (layer.isEmpty() ? "" : " " + layer)
        + " nan=" + nanCount + " inf=" + infCount;
  }
}
