package dev.traininghealth.agent.javaagent;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;

import dev.traininghealth.agent.AgentConfig;
import java.lang.instrument.Instrumentation;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Starts the agent: reads the options, checks that a supported DL4J is there, weaves the advice.
 * Catches every throwable: whatever goes wrong, the program runs on, and the agent says why once
 * on stderr.
 */
final class AgentStarter {
  static final String MODEL = "org.deeplearning4j.nn.api.Model";
  static final String LISTENER = "org.deeplearning4j.optimize.api.TrainingListener";
  static final String SOLVER = "org.deeplearning4j.optimize.Solver";
  static final String MLN = "org.deeplearning4j.nn.multilayer.MultiLayerNetwork";
  static final String GRAPH = "org.deeplearning4j.nn.graph.ComputationGraph";

  private static volatile boolean started;

  private AgentStarter() {}

  static void start(String args, Instrumentation inst, boolean dynamic) {
    try {
      if (started) {
        say("already running in this JVM; ignoring the second start");
        return;
      }
      AgentConfig config = AgentOptions.resolve(args, System.getenv());
      String missing = dl4jProblem();
      if (missing != null) {
        say(missing + "; the agent stays inert and the program runs on unaffected");
        return;
      }
      ListenerInstaller.configure(config);
      install(inst);
      started = true;
      Runtime.getRuntime().addShutdownHook(
          new Thread(ListenerInstaller::closeAll, "training-health-shutdown"));
      say((dynamic ? "attached" : "started") + ": job '" + config.job() + "', Kafka "
          + config.bootstrapServers());
    } catch (Throwable t) {
      say("could not start, the program runs on unaffected: " + t);
    }
  }

  /** Null when DL4J's listener API is loadable here, else what is wrong. */
  static String dl4jProblem() {
    ClassLoader cl = ClassLoader.getSystemClassLoader();
    try {
      Class.forName(MODEL, false, cl);
    } catch (Throwable t) {
      return "DeepLearning4J is not on this JVM's class path (no " + MODEL + ")";
    }
    try {
      Class<?> listener = Class.forName(LISTENER, false, cl);
      listener.getMethod("onGradientCalculation", Class.forName(MODEL, false, cl));
      Class.forName(SOLVER, false, cl).getDeclaredField("model");
    } catch (Throwable t) {
      return "this DeepLearning4J version is not supported (needs TrainingListener"
          + ".onGradientCalculation and Solver.model, as in 1.0.0-beta and later): " + t;
    }
    return null;
  }

  private static void install(Instrumentation inst) {
    new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
        // Every class the JVM loads passes through the agent's transformer; without this the
        // default matcher had ByteBuddy describe each of them (DL4J and ND4J load thousands),
        // which slowed a job's start. By name only, the rest are turned away unparsed.
        .ignore(not(namedOneOf(SOLVER, MLN, GRAPH)))
        .type(named(SOLVER))
        .transform((builder, type, loader, module, domain) -> builder.visit(
            Advice.to(Dl4jAdvice.SolverOptimizeAdvice.class).on(named("optimize"))))
        .type(namedOneOf(MLN, GRAPH))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(Dl4jAdvice.FitAdvice.class).on(named("fit").and(isPublic())))
            .visit(Advice.to(Dl4jAdvice.SetListenersAdvice.class)
                .on(named("setListeners").and(isPublic()))))
        .installOn(inst);
  }

  static void say(String message) {
    System.err.println("[training-health] " + message);
  }
}
