package dev.traininghealth.agent.javaagent;

import dev.traininghealth.agent.AgentConfig;
import dev.traininghealth.agent.HealthListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;

/**
 * Called from the advice inlined into DL4J's classes: makes sure a training network carries our
 * listener, once. One listener (one run) per network instance, kept while the network lives; a
 * program that replaces its listeners gets the same one added back. Never throws into DL4J.
 */
public final class ListenerInstaller {
  private static volatile AgentConfig config;
  private static final Map<Object, HealthListener> LISTENERS = new WeakHashMap<>();
  private static volatile boolean broken;

  private ListenerInstaller() {}

  static void configure(AgentConfig c) {
    config = c;
  }

  /** Adds our listener to {@code model} if it lacks it. Cheap when it has it already. */
  public static void ensure(Object model) {
    AgentConfig c = config;
    if (c == null || broken || !(model instanceof Model)) {
      return;
    }
    try {
      Model m = (Model) model;
      Collection<TrainingListener> current = listenersOf(m);
      if (current != null) {
        for (TrainingListener l : current) {
          if (l instanceof HealthListener) {
            return;
          }
        }
      }
      HealthListener ours;
      synchronized (LISTENERS) {
        ours = LISTENERS.get(model);
        if (ours == null) {
          ours = HealthListener.create(c);
          LISTENERS.put(model, ours);
        }
      }
      m.addListeners(ours);
    } catch (Throwable t) {
      // A DL4J we do not understand: stop trying rather than fail on every iteration.
      broken = true;
      System.err.println("[training-health] could not attach the listener to "
          + model.getClass().getName() + ", the agent stays inert: " + t);
    }
  }

  private static Collection<TrainingListener> listenersOf(Model m) {
    if (m instanceof MultiLayerNetwork) {
      return ((MultiLayerNetwork) m).getListeners();
    }
    if (m instanceof ComputationGraph) {
      return ((ComputationGraph) m).getListeners();
    }
    return null;
  }

  /** Sends job_finished for every network still watched and flushes; at JVM shutdown. */
  static void closeAll() {
    List<HealthListener> all;
    synchronized (LISTENERS) {
      all = new ArrayList<>(LISTENERS.values());
    }
    for (HealthListener l : all) {
      try {
        l.close();
      } catch (Throwable t) {
        // shutting down: nothing more to do
      }
    }
  }

  /** Networks watched now. */
  static int watched() {
    synchronized (LISTENERS) {
      return LISTENERS.size();
    }
  }
}
