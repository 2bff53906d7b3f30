package dev.traininghealth.zoo;

/**
 * Runs one zoo job as a standalone program, the way a user's training jar runs:
 * {@code java -cp zoo.jar dev.traininghealth.zoo.ZooMain <job> [seed] [repeat] [pause-ms]}. With
 * {@code repeat} > 1 it trains that many times in a row (a long-running job to attach to); with
 * {@code pause-ms} > 0 it sleeps that long after every iteration ({@link StepPause}), so that a
 * daemon watching the run has time to act on it.
 */
public final class ZooMain {
  private ZooMain() {}

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: ZooMain <job> [seed] [repeat] [pause-ms]; jobs: " + Zoo.all().stream()
          .map(ZooJob::name).toList());
      System.exit(2);
    }
    ZooJob job = Zoo.byName(args[0]);
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
    int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    long pauseMs = args.length > 3 ? Long.parseLong(args[3]) : 0;
    for (int i = 0; i < repeat; i++) {
      var net = job.network(seed);
      if (pauseMs > 0) {
        net.addListeners(new StepPause(pauseMs));
      }
      job.train(net, seed);
      System.out.println(job.name() + " run " + (i + 1) + "/" + repeat + " done, final loss "
          + net.score());
    }
  }
}
