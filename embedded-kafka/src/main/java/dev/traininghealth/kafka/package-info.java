/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) run inside the calling
 * JVM: the daemon's default when no bootstrap servers are configured, and what the tests use
 * instead of mocks.
 */
package dev.traininghealth.kafka;
