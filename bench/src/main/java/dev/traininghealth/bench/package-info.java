/**
 * Benchmark mains. Each measures the alternatives side by side in one JVM, in alternating
 * blocks after warm-up, and prints medians and ratios: machines are noisy, so only ratios
 * measured together mean anything. Run them with {@code scripts/bench.sh <Main>}.
 */
package dev.traininghealth.bench;
