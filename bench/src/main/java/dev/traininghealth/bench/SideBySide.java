package dev.traininghealth.bench;

import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs a bench's {@code static double[] name()} method under two builds of its classes in one JVM,
 * taking turns, so that both see the same load on a shared machine: each build gets its own
 * class loader over its class path (its parent the platform loader, so nothing of either build
 * is shared), and the rounds alternate A, B, A, B, ... The medians per result are printed with
 * their ratio.
 *
 * <pre>
 * java -cp bench/target/classes dev.traininghealth.bench.SideBySide CLASS METHOD ROUNDS \
 *     CLASSPATH_A CLASSPATH_B
 * </pre>
 *
 * e.g. {@code DaemonBench inProcess 3 /tmp/base-rules:$CP $CP} compares in-process evaluation of
 * another build of {@code rules} with this one.
 */
public final class SideBySide {
  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    String cls = "dev.traininghealth.bench." + args[0];
    String method = args[1];
    int rounds = Integer.parseInt(args[2]);
    Method[] runs = {load(args[3], cls, method), load(args[4], cls, method)};
    List<List<double[]>> results = List.of(new ArrayList<>(), new ArrayList<>());
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        double[] v = (double[]) runs[k].invoke(null);
        results.get(k).add(v);
        System.out.printf(Locale.ROOT, "round %d %s: %s%n", r, k == 0 ? "A" : "B",
            Arrays.toString(v));
      }
    }
    int n = results.get(0).get(0).length;
    for (int i = 0; i < n; i++) {
      double a = median(results.get(0), i);
      double b = median(results.get(1), i);
      System.out.printf(Locale.ROOT, "result %d: A %,.0f  B %,.0f  B/A %.2f%n", i, a, b, b / a);
    }
    System.exit(0);
  }

  private static double median(List<double[]> rs, int i) {
    double[] v = new double[rs.size()];
    for (int k = 0; k < v.length; k++) {
      v[k] = rs.get(k)[i];
    }
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static Method load(String classPath, String cls, String method) throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String p : classPath.split(File.pathSeparator)) {
      if (!p.isEmpty()) {
        urls.add(new File(p).toURI().toURL());
      }
    }
    ClassLoader loader =
        new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    Method m = Class.forName(cls, true, loader).getDeclaredMethod(method);
    m.setAccessible(true);
    return m;
  }
}
