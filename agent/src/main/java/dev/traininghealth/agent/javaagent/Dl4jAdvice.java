package dev.traininghealth.agent.javaagent;

import net.bytebuddy.asm.Advice;

/**
 * The advice woven into DL4J. Each method only calls {@link ListenerInstaller#ensure}; any
 * throwable is suppressed so the program's training can never be broken by the agent.
 */
final class Dl4jAdvice {
  private Dl4jAdvice() {}

  /** On {@code Solver.optimize}: runs once per iteration, also in a fit loop started before attach. */
  static final class SolverOptimizeAdvice {
    private SolverOptimizeAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.FieldValue("model") Object model) {
      ListenerInstaller.ensure(model);
    }
  }

  /** On the networks' {@code fit} overloads: installs before the first iteration. */
  static final class FitAdvice {
    private FitAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object model) {
      ListenerInstaller.ensure(model);
    }
  }

  /** On {@code setListeners}: the program replaced its listeners; put ours back. */
  static final class SetListenersAdvice {
    private SetListenersAdvice() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object model) {
      ListenerInstaller.ensure(model);
    }
  }
}
