package dev.conveyor.worker;

/** Whether another attempt could succeed: transient failures are retried, permanent ones fail the job. */
public enum ErrorKind {
    TRANSIENT, PERMANENT
}
