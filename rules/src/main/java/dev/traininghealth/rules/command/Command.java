package dev.traininghealth.rules.command;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * One command on {@code th.commands}, key = job. Immutable. {@code params} values are strings,
 * numbers (as {@link Double} or {@link Long}) or booleans, nothing else, so the canonical form is
 * unambiguous. {@code sig} is empty until {@link CommandSigner#sign} sets it.
 */
public final class Command {
  /** The wire-format version. */
  public static final int VERSION = 1;

  /** Every action the protocol knows. */
  public static final Set<String> ACTIONS =
      Set.of("lr_kick", "lr_scale", "restart", "swa_start", "swa_snapshot", "swa_apply",
          "curvature_step", "reinit_units", "rollback", "checkpoint", "stop");

  private final String id;
  private final String job;
  private final String run;
  private final String action;
  private final Map<String, Object> params;
  private final long issued;
  private final long expires;
  private final String reason;
  private final String sig;

  private Command(Builder b, String sig) {
    this.id = requireText(b.id, "id");
    this.job = requireText(b.job, "job");
    this.run = b.run == null ? "" : b.run;
    this.action = requireText(b.action, "action");
    if (!ACTIONS.contains(action)) {
      throw new IllegalArgumentException("unknown action '" + action + "' (known: "
          + new java.util.TreeSet<>(ACTIONS) + ")");
    }
    TreeMap<String, Object> p = new TreeMap<>();
    for (Map.Entry<String, Object> e : b.params.entrySet()) {
      p.put(Objects.requireNonNull(e.getKey(), "param name"), checkParam(e.getKey(), e.getValue()));
    }
    this.params = Collections.unmodifiableMap(p);
    if (b.expires <= b.issued) {
      throw new IllegalArgumentException("expires must be after issued");
    }
    this.issued = b.issued;
    this.expires = b.expires;
    this.reason = b.reason == null ? "" : b.reason;
    this.sig = sig == null ? "" : sig;
  }

  private static Object checkParam(String name, Object v) {
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      return ((Number) v).longValue();
    }
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) {
        throw new IllegalArgumentException("param '" + name + "' must be finite, got " + d);
      }
      return d;
    }
    if (v instanceof String || v instanceof Boolean) {
      return v;
    }
    throw new IllegalArgumentException(
        "param '" + name + "' must be a string, number or boolean, got "
            + (v == null ? "null" : v.getClass().getSimpleName()));
  }

  private static String requireText(String s, String field) {
    if (s == null || s.isEmpty() || s.length() > 256) {
      throw new IllegalArgumentException(field + " must be a string of 1 to 256 characters");
    }
    return s;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this command's fields, to derive a changed copy (the signature dropped). */
  public Builder toBuilder() {
    return new Builder().id(id).job(job).run(run).action(action).params(params).issued(issued)
        .expires(expires).reason(reason);
  }

  /** This command with {@code sig} as its signature. */
  Command withSig(String sig) {
    return new Command(toBuilder(), sig);
  }

  /** Unique id; an agent applies an id at most once. */
  public String id() {
    return id;
  }

  public String job() {
    return job;
  }

  /** The run it is meant for, or empty for whichever run of the job is alive. */
  public String run() {
    return run;
  }

  public String action() {
    return action;
  }

  /** Parameters, sorted by name: String, Long, Double or Boolean values. */
  public Map<String, Object> params() {
    return params;
  }

  /** A number parameter, or {@code dflt} when absent; throws if present and not a number. */
  public double number(String name, double dflt) {
    Object v = params.get(name);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number)) {
      throw new IllegalArgumentException("param '" + name + "' must be a number, got " + v);
    }
    return ((Number) v).doubleValue();
  }

  /** A string parameter, or {@code dflt} when absent. */
  public String string(String name, String dflt) {
    Object v = params.get(name);
    return v == null ? dflt : String.valueOf(v);
  }

  /** When it was issued, epoch ms. */
  public long issued() {
    return issued;
  }

  /** After this instant (epoch ms) the agent must not apply it. */
  public long expires() {
    return expires;
  }

  /** Why: the rule and its evidence, or the person who sent it. */
  public String reason() {
    return reason;
  }

  /** Hex HMAC-SHA256 over {@link CommandCodec#canonical}; empty when unsigned. */
  public String sig() {
    return sig;
  }

  public boolean expiredAt(long nowMs) {
    return nowMs >= expires;
  }

  @Override
  public String toString() {
    return action + params + " id=" + id + " job=" + job + (run.isEmpty() ? "" : " run=" + run);
  }

  /** Collects a command's fields. */
  public static final class Builder {
    private String id;
    private String job;
    private String run = "";
    private String action;
    private Map<String, Object> params = Map.of();
    private long issued;
    private long expires;
    private String reason = "";

    private Builder() {}

    public Builder id(String v) {
      this.id = v;
      return this;
    }

    public Builder job(String v) {
      this.job = v;
      return this;
    }

    public Builder run(String v) {
      this.run = v;
      return this;
    }

    public Builder action(String v) {
      this.action = v;
      return this;
    }

    public Builder params(Map<String, Object> v) {
      this.params = v;
      return this;
    }

    public Builder issued(long v) {
      this.issued = v;
      return this;
    }

    public Builder expires(long v) {
      this.expires = v;
      return this;
    }

    public Builder reason(String v) {
      this.reason = v;
      return this;
    }

    /** An unsigned command; {@link CommandSigner#sign} makes the signed one. */
    public Command build() {
      return new Command(this, "");
    }
  }
}
