package dev.traininghealth.agent.action;

import dev.traininghealth.rules.command.Command;
import dev.traininghealth.rules.command.CommandSigner;
import java.util.Locale;

/**
 * Decides whether a command may be applied: meant for this job and run, signed with the shared
 * key, not seen before, not expired, on the allow-list and within the bounds. The checks run in
 * that order; the first that fails gives the reason. Ids are remembered only once the signature
 * holds, so a forged record cannot burn the id of a genuine command that is still on its way.
 * Training thread only.
 */
final class CommandGate {
  private final ActionSettings settings;
  private final CommandSigner signer;
  private final String job;
  private final SeenIds seen;

  CommandGate(ActionSettings settings, String job) {
    this.settings = settings;
    this.signer = CommandSigner.withKey(settings.key());
    this.job = job;
    this.seen = new SeenIds(settings.seenCapacity());
  }

  /** Null when {@code c} may be applied now; otherwise the verdict to report. */
  Verdict check(Command c, String run, long nowMs) {
    if (!job.equals(c.job())) {
      return Verdict.rejected("wrong job: command is for job '" + c.job() + "', this is '" + job + "'");
    }
    if (!c.run().isEmpty() && !c.run().equals(run)) {
      return Verdict.rejected(
          "wrong run: command is for run '" + c.run() + "', this is run '" + run + "'");
    }
    if (c.sig().isEmpty()) {
      return Verdict.rejected("unsigned: the command carries no signature");
    }
    if (!signer.verify(c)) {
      return Verdict.rejected(
          "bad signature: it does not match the command under this agent's key (tampered, or"
              + " signed with another key)");
    }
    if (!seen.add(c.id())) {
      return Verdict.rejected("replayed: command id '" + c.id() + "' was already handled in this run");
    }
    if (c.expiredAt(nowMs)) {
      return Verdict.expired(
          "expired at " + c.expires() + " (epoch ms), " + (nowMs - c.expires())
              + " ms before it reached the training thread");
    }
    if (!settings.allow().contains(c.action())) {
      return Verdict.rejected(
          "action '" + c.action() + "' is not on this agent's allow-list (actions.allow="
              + String.join(",", settings.allow()) + ")");
    }
    try {
      return bounds(c);
    } catch (IllegalArgumentException e) {
      return Verdict.rejected("bad parameter: " + e.getMessage());
    }
  }

  /** Whether {@code id} has been handled (for tests and reports). */
  boolean seen(String id) {
    return seen.contains(id);
  }

  private Verdict bounds(Command c) {
    double maxF = settings.lrMaxFactor();
    switch (c.action()) {
      case "lr_kick":
        {
          Verdict v = within(c, "factor", required(c, "factor"), 1 / maxF, maxF, "actions.lr.max.factor");
          if (v != null) {
            return v;
          }
          String shape = c.string("shape", "flat");
          if (!"flat".equals(shape) && !"cosine".equals(shape)) {
            return Verdict.rejected(
                "bad parameter: shape must be flat or cosine, got '" + shape + "'");
          }
          double n = c.number("iterations", 100);
          if (n != Math.rint(n)) {
            return Verdict.rejected("bad parameter: iterations must be a whole number, got " + n);
          }
          return within(c, "iterations", n, 1, settings.lrKickMaxIterations(),
              "actions.lr_kick.max.iterations");
        }
      case "lr_scale":
        return within(c, "factor", required(c, "factor"), 1 / maxF, maxF, "actions.lr.max.factor");
      case "restart":
        {
          String from = c.string("from", "best");
          if (from.isEmpty() || from.contains("/") || from.contains("\\") || from.startsWith(".")) {
            return Verdict.rejected("bad parameter: from must be best, latest, init or a checkpoint name");
          }
          return within(c, "perturb", c.number("perturb", 0), 0, settings.restartMaxPerturb(),
              "actions.restart.max.perturb");
        }
      case "checkpoint":
        {
          String name = c.string("name", "");
          if (!name.isEmpty() && !Checkpoints.validName(name)) {
            return Verdict.rejected(
                "bad parameter: name must be 1-64 of [A-Za-z0-9._-], not starting with '.', and"
                    + " not 'best', 'latest' or 'init'; got '" + name + "'");
          }
          return null;
        }
      case "swa_start":
        {
          double every = c.number("every", settings.swaEvery());
          if (every != Math.rint(every)) {
            return Verdict.rejected("bad parameter: every must be a whole number, got " + every);
          }
          return within(c, "every", every, 1, 1_000_000, "(fixed)");
        }
      case "curvature_step":
        {
          double step = c.number("step", 1.0);
          if (!(step > 0)) {
            return Verdict.rejected("bad parameter: step must be > 0, got " + step);
          }
          return within(c, "step", step, 0, settings.curvatureMaxStep(),
              "actions.curvature_step.max.step");
        }
      case "reinit_units":
        {
          double units = c.number("units", 1);
          if (units != Math.rint(units)) {
            return Verdict.rejected("bad parameter: units must be a whole number, got " + units);
          }
          return within(c, "units", units, 1, settings.reinitMaxUnits(),
              "actions.reinit_units.max.units");
        }
      case "rollback":
        {
          double before = c.number("before", Double.NaN);
          if (!Double.isNaN(before) && (before < 0 || before != Math.rint(before))) {
            return Verdict.rejected("bad parameter: before must be an iteration >= 0, got " + before);
          }
          return null;
        }
      default:
        return null;
    }
  }

  private static double required(Command c, String name) {
    if (!c.params().containsKey(name)) {
      throw new IllegalArgumentException("missing required param '" + name + "'");
    }
    return c.number(name, Double.NaN);
  }

  private static Verdict within(
      Command c, String name, double v, double min, double max, String configKey) {
    if (!(v >= min && v <= max)) {
      return Verdict.rejected(
          String.format(
              Locale.ROOT,
              "out of bounds: %s=%s outside [%s, %s] (%s)",
              name, fmt(v), fmt(min), fmt(max), configKey));
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
  }
}
