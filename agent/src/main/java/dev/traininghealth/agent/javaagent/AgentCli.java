package dev.traininghealth.agent.javaagent;

import java.io.File;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Properties;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code java -jar training-health-agent.jar list} shows the local JVMs and whether DeepLearning4J
 * is on their class path; {@code ... attach <pid> [key=value,...]} loads the agent into a
 * running JVM, whose {@code fit} loop starts reporting at its next iteration.
 */
public final class AgentCli {
  private AgentCli() {}

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      code = 2;
    } catch (Exception e) {
      System.err.println("error: " + e);
      code = 1;
    }
    System.exit(code);
  }

  static int run(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      System.out.println("usage: java -jar training-health-agent.jar list\n"
          + "       java -jar training-health-agent.jar attach <pid> [key=value,...]\n"
          + "   or: java -javaagent:training-health-agent.jar[=key=value,...] -jar your-job.jar");
      return args.length == 0 ? 2 : 0;
    }
    switch (args[0]) {
      case "list":
        return list();
      case "attach":
        if (args.length < 2) {
          throw new IllegalArgumentException("attach needs a pid");
        }
        String options = args.length > 2 ? args[2] : "";
        // Fail here, with the message, rather than inside the target JVM.
        AgentOptions.resolve(options, System.getenv());
        long t0 = System.nanoTime();
        ByteBuddyAgent.attach(agentJar(), args[1], options);
        System.out.printf("attached to %s in %.1f s; the job reports from its next iteration"
            + " (its stderr says so)%n", args[1], (System.nanoTime() - t0) / 1e9);
        return 0;
      default:
        throw new IllegalArgumentException("unknown command '" + args[0] + "' (list, attach)");
    }
  }

  private static File agentJar() throws URISyntaxException {
    File f = new File(AgentCli.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    if (!f.isFile()) {
      throw new IllegalStateException("attach must be run from the agent jar, not from " + f);
    }
    return f;
  }

  private static int list() throws Exception {
    List<com.sun.tools.attach.VirtualMachineDescriptor> vms =
        com.sun.tools.attach.VirtualMachine.list();
    System.out.printf("%-8s %-6s %s%n", "PID", "DL4J", "MAIN");
    for (com.sun.tools.attach.VirtualMachineDescriptor d : vms) {
      String dl4j = "?";
      try {
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(d);
        try {
          Properties p = vm.getSystemProperties();
          String cp = p.getProperty("java.class.path", "");
          dl4j = cp.contains("deeplearning4j-nn") ? "yes" : "no";
        } finally {
          vm.detach();
        }
      } catch (Exception e) {
        dl4j = "?"; // another user's JVM, or one that does not accept attach
      }
      System.out.printf("%-8s %-6s %s%n", d.id(), dl4j, d.displayName());
    }
    return 0;
  }
}
