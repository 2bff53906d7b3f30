/**
 * The {@code -javaagent} and dynamic-attach entry points. They only wire the library's
 * {@link dev.traininghealth.agent.HealthListener} into networks the program builds itself:
 * advice on DL4J's {@code Solver.optimize} (once per iteration) and on the networks'
 * {@code fit}/{@code setListeners} makes sure each training network carries exactly one of our
 * listeners, also after the program replaces its listeners, and also for a {@code fit} loop that
 * was already running when the agent attached. DL4J types are matched by name, never by class
 * literal, so the agent loads without DL4J; the agent jar relocates its own Kafka client,
 * ByteBuddy, Jackson and SLF4J so they never clash with the program's.
 */
package dev.traininghealth.agent.javaagent;
