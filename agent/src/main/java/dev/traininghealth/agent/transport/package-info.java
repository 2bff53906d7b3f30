/**
 * Getting events off the training thread and onto Kafka. The training thread only offers an
 * event to a bounded queue, which never blocks: when the queue is full or the broker is away the
 * event is dropped and counted, and the count travels in later events.
 */
package dev.traininghealth.agent.transport;
