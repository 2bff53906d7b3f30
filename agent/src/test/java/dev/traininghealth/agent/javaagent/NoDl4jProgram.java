package dev.traininghealth.agent.javaagent;

/** A program without DL4J, for the "agent stays inert" tests: ticks a few times and exits. */
public final class NoDl4jProgram {
  private NoDl4jProgram() {}

  public static void main(String[] args) throws InterruptedException {
    int ticks = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    long pauseMs = args.length > 1 ? Long.parseLong(args[1]) : 0;
    for (int i = 0; i < ticks; i++) {
      System.out.println("tick " + i);
      Thread.sleep(pauseMs);
    }
  }
}
