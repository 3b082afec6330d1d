package dev.conveyor.config;

/**
 * SQS_EMBEDDED=true in a build without ElasticMQ (conveyor-production.jar); {@link StartFailureAnalyzers.NoEmbeddedSqs}
 * explains. Thrown by the queue package's SqsConfig; it lives here, beside its analyzer, because configuration sits
 * below the queue package and must not depend on it (docs/architecture.md, "Packages").
 */
public final class NoEmbeddedSqsException extends IllegalStateException {

    public NoEmbeddedSqsException() {
        super("SQS_EMBEDDED=true, but this build of Conveyor (conveyor-production.jar) has no embedded "
                + "ElasticMQ: set SQS_ENDPOINT to an SQS service (or leave it empty for AWS) and unset SQS_EMBEDDED");
    }
}
