package dev.conveyor.sqlsource;

import java.sql.Timestamp;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.config.ConveyorProperties;
import dev.conveyor.intake.JobIntake;
import dev.conveyor.intake.JobRequest;
import dev.conveyor.intake.ProblemException;
import dev.conveyor.job.Submission;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes a bounded batch of NEW job_requests rows and turns each into a job, in one transaction: the rows
 * are locked with {@code FOR UPDATE SKIP LOCKED}, so several pollers (or instances) share the table and no
 * row ever becomes two jobs; a row that cannot be a job is marked REJECTED with the reason.
 *
 * <p>A row's job belongs to the tenant in the row's own {@code tenant_id} column (V3: NOT NULL, DEFAULT
 * 'default'): the table is written by trusted systems with database access, which name the tenant; a
 * tenant id the HTTP API would refuse is refused here too.
 */
@Component("jobRequestsPoller")
public class JobRequestsPoller {

    private static final Logger log = LoggerFactory.getLogger(JobRequestsPoller.class);
    /** The same rule as X-Tenant-Id on the HTTP API. */
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private final JdbcTemplate jdbc;
    private final JobIntake intake;
    private final TransactionTemplate tx;
    private final TransactionTemplate nested;
    private final ObjectMapper json;
    private final int batchSize;

    public JobRequestsPoller(JdbcTemplate jdbc, JobIntake intake, TransactionTemplate tx, ObjectMapper json,
                             ConveyorProperties properties) {
        this.jdbc = jdbc;
        this.intake = intake;
        this.tx = tx;
        this.nested = new TransactionTemplate(tx.getTransactionManager());
        this.nested.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        this.json = json;
        this.batchSize = properties.sql().batchSize();
    }

    private record Row(long id, String tenantId, String type, String payload, String priority,
                       String idempotencyKey, String correlationId, Timestamp runAt, String uniqueKey,
                       String uniqueFor) {
    }

    /** @return how many rows this round took or rejected */
    public int poll() {
        Integer handled = tx.execute(status -> {
            List<Row> rows = jdbc.query("""
                    SELECT id, tenant_id, type, payload::text AS payload, priority, idempotency_key, correlation_id,
                           run_at, unique_key, unique_for
                    FROM job_requests WHERE status = 'NEW' ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED
                    """, (rs, i) -> new Row(rs.getLong("id"), rs.getString("tenant_id"), rs.getString("type"),
                    rs.getString("payload"), rs.getString("priority"), rs.getString("idempotency_key"),
                    rs.getString("correlation_id"), rs.getTimestamp("run_at"), rs.getString("unique_key"),
                    rs.getString("unique_for")), batchSize);
            rows.forEach(this::take);
            return rows.size();
        });
        return handled == null ? 0 : handled;
    }

    private void take(Row row) {
        try {
            // a savepoint per row: an unexpected failure of one row rolls back that row only
            nested.executeWithoutResult(status -> submit(row));
        } catch (RuntimeException e) {
            log.error("job_requests #{} could not be taken", row.id(), e);
            jdbc.update("UPDATE job_requests SET status = 'REJECTED', reject_reason = ?, taken_at = now() "
                    + "WHERE id = ?", "internal error: " + e, row.id());
        }
    }

    private void submit(Row row) {
        if (row.tenantId() == null || !TENANT.matcher(row.tenantId()).matches()) {
            String reason = "tenant_id must be 1-64 letters, digits, '_', '.' or '-'";
            jdbc.update("UPDATE job_requests SET status = 'REJECTED', reject_reason = ?, taken_at = now() "
                    + "WHERE id = ?", reason, row.id());
            log.warn("job_requests #{} rejected: {}", row.id(), reason);
            return;
        }
        try {
            JsonNode payload = json.readTree(row.payload());
            Submission submission = intake.submit(JobRequest.of(row.tenantId(), "sql", row.type(), payload,
                    row.priority(), row.runAt() == null ? null : row.runAt().toInstant().toString(),
                    row.correlationId(), null, row.idempotencyKey()).unique(row.uniqueKey(), row.uniqueFor()));
            jdbc.update("UPDATE job_requests SET status = 'TAKEN', job_id = ?, taken_at = now() WHERE id = ?",
                    submission.job().jobId(), row.id());
            log.info("job_requests #{} became {}", row.id(), submission.job().jobId());
        } catch (ProblemException | JsonProcessingException e) {
            jdbc.update("UPDATE job_requests SET status = 'REJECTED', reject_reason = ?, taken_at = now() "
                    + "WHERE id = ?", e.getMessage(), row.id());
            log.warn("job_requests #{} rejected: {}", row.id(), e.getMessage());
        }
    }
}
