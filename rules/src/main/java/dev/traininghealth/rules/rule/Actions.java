package dev.traininghealth.rules.rule;

import java.util.List;
import java.util.Set;

/**
 * The action names a ladder may use: the commands of DESIGN.md that the agent understands, and
 * {@code reinit_units}, which this project added to them (replace a layer's least useful units).
 */
public final class Actions {
  /** In the order DESIGN.md lists them. */
  public static final List<String> NAMES =
      List.of(
          "lr_kick",
          "lr_scale",
          "restart",
          "swa_start",
          "swa_snapshot",
          "swa_apply",
          "curvature_step",
          "reinit_units",
          "rollback",
          "checkpoint",
          "stop");

  private static final Set<String> KNOWN = Set.copyOf(NAMES);

  private Actions() {}

  public static boolean isKnown(String name) {
    return KNOWN.contains(name);
  }
}
