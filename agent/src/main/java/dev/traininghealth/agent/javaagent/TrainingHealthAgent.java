package dev.traininghealth.agent.javaagent;

import java.lang.instrument.Instrumentation;

/**
 * {@code Premain-Class} and {@code Agent-Class} of the agent jar. Does as little as possible:
 * hands over to {@link AgentStarter}, which never throws.
 */
public final class TrainingHealthAgent {
  private TrainingHealthAgent() {}

  /** {@code java -javaagent:training-health-agent.jar[=options] ...} */
  public static void premain(String args, Instrumentation inst) {
    AgentStarter.start(args, inst, false);
  }

  /** Dynamic attach: {@code java -jar training-health-agent.jar attach <pid> [options]}. */
  public static void agentmain(String args, Instrumentation inst) {
    AgentStarter.start(args, inst, true);
  }
}
