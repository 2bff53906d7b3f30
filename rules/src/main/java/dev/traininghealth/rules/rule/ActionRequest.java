package dev.traininghealth.rules.rule;

import java.util.Map;
import java.util.Objects;

/**
 * One rung of a rule's action ladder that an alert asks the daemon to carry out: which rule,
 * which rung (0 first), the action's name ({@code lr_kick}, {@code restart}, ...) and its
 * parameters (the rung's map without {@code do}). The daemon turns it into a signed command.
 */
public final class ActionRequest {
  private final String rule;
  private final int rung;
  private final String action;
  private final Map<String, Object> params;

  private ActionRequest(String rule, int rung, String action, Map<String, Object> params) {
    this.rule = Objects.requireNonNull(rule, "rule");
    this.rung = rung;
    this.action = Objects.requireNonNull(action, "action");
    this.params = Map.copyOf(params);
  }

  public static ActionRequest of(String rule, int rung, String action, Map<String, Object> params) {
    return new ActionRequest(rule, rung, action, params);
  }

  public String rule() {
    return rule;
  }

  public int rung() {
    return rung;
  }

  public String action() {
    return action;
  }

  public Map<String, Object> params() {
    return params;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ActionRequest)) {
      return false;
    }
    ActionRequest a = (ActionRequest) o;
    return rung == a.rung && rule.equals(a.rule) && action.equals(a.action)
        && params.equals(a.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rule, rung, action, params);
  }

  @Override
  public String toString() {
    return rule + "[" + rung + "] " + action + params;
  }
}
