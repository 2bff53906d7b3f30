/**
 * Ingest: the Kafka side of the daemon. {@link dev.traininghealth.daemon.ingest.IngestVerticle}
 * consumes {@code th.events} in the consumer group (every event of a job has the job as key, so
 * one daemon of the group sees all of a job), decodes with the rules module's codec and passes
 * the events on; unreadable records are counted by class of reason and written unchanged to
 * {@code th.events.dlq} with the reason in the headers {@code th.reason}, {@code th.reason.class}
 * and {@code th.source}. Offsets are committed only after evaluation. On a partition assignment it
 * reads back what {@code th.alerts} and {@code th.commands} hold for the partitions' jobs ({@link
 * dev.traininghealth.daemon.ingest.PublishedReader}) and replays their recent events so that the
 * jobs' rule state is rebuilt before new events are evaluated; see {@code daemon/CONFIG.md},
 * "Taking jobs over".
 */
package dev.traininghealth.daemon.ingest;
