package io.gridshare.gateway.openai;

/** A job the REST endpoint reads from its {@link QueueSink}, whichever path runs it. */
interface RestJob {

    String jobId();

    /** Room in the sink again: let held tokens through. */
    void drain();

    /** The HTTP client went away or was interrupted. */
    void cancel(String reason);
}
