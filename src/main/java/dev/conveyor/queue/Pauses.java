package dev.conveyor.queue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.conveyor.job.DueJob;
import dev.conveyor.job.JobStore;
import dev.conveyor.queue.Pause.Kind;
import dev.conveyor.worker.JobProcessors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Pausing and resuming lanes and job types (docs/operations.md, "Pause, resume, drain"). A pause is a row of
 * queue_pauses, so it holds on every instance and across restarts, whatever the queue backend. It is enforced where
 * jobs leave PostgreSQL: the dispatcher holds a paused lane's or type's due jobs back ({@link #holdBack}), and the
 * claim statement ({@code JobStore.CLAIM}) refuses the messages already on their way, leaving the job QUEUED. A resume
 * makes every such job due again, and the dispatcher publishes them.
 */
@Component
public class Pauses {

    private static final Logger log = LoggerFactory.getLogger(Pauses.class);
    /**
     * How long the dispatcher trusts what it last read of queue_pauses: it asks once a second at most, not once a
     * round. A pause made on another instance meanwhile is still kept by the claim, which reads the table itself.
     */
    private static final long DISPATCH_VIEW_NANOS = 1_000_000_000L;

    private final NamedParameterJdbcTemplate jdbc;
    private final JobStore store;
    private final LaneRouter router;
    private final JobProcessors processors;
    private final DispatchSignal signal;
    private volatile Snapshot snapshot = new Snapshot(Set.of(), Set.of(), 0, true);

    public Pauses(NamedParameterJdbcTemplate jdbc, JobStore store, LaneRouter router, JobProcessors processors,
                  DispatchSignal signal) {
        this.jdbc = jdbc;
        this.store = store;
        this.router = router;
        this.processors = processors;
        this.signal = signal;
    }

    /** The lanes a job can travel, by wire name. */
    public static List<String> lanes() {
        return java.util.Arrays.stream(Lane.values()).map(Lane::wireName).toList();
    }

    /** The job types this service runs (those with a processor). */
    public List<String> types() {
        return List.copyOf(new TreeSet<>(processors.types()));
    }

    /** The known names of a kind: what a 404 lists and what may be paused. */
    public List<String> known(Kind kind) {
        return kind == Kind.LANE ? lanes() : types();
    }

    /**
     * Pauses the lane or type: nothing new of it is claimed from now on; running jobs finish. Repeating it is
     * harmless (the first pause, with its author, stays). Throws {@link UnknownQueueException} for a name that is
     * neither a lane nor a type.
     */
    public Pause pause(Kind kind, String name, String who) {
        checkKnown(kind, name);
        int added = jdbc.update("""
                INSERT INTO queue_pauses (kind, name, paused_by) VALUES (:kind, :name, :who)
                ON CONFLICT (kind, name) DO NOTHING
                """, params(kind, name).addValue("who", who));
        snapshot = snapshot.stale();
        Pause pause = find(kind, name).orElseThrow();
        if (added == 1) {
            log.info("{} '{}' paused by {}: nothing new of it is claimed until it is resumed", kind.wireName(), name,
                    who);
        } else {
            log.info("{} '{}' pause asked by {}: already paused by {} at {}", kind.wireName(), name, who,
                    pause.pausedBy(), pause.pausedAt());
        }
        return pause;
    }

    /**
     * Resumes the lane or type: its jobs that were held back, or whose messages a worker refused while it was paused,
     * are made due again and the dispatcher woken. Harmless when it was not paused. Returns how many jobs were
     * released.
     */
    public int resume(Kind kind, String name, String who) {
        checkKnown(kind, name);
        int removed = jdbc.update("DELETE FROM queue_pauses WHERE kind = :kind AND name = :name", params(kind, name));
        snapshot = snapshot.stale();
        // after the delete committed: a claim that still saw the pause left its job to this release
        List<String> released = new ArrayList<>();
        for (DueJob job : store.dispatchedUnclaimed()) {
            String of = kind == Kind.LANE ? router.laneFor(job) : job.type();
            if (of.equals(name)) {
                released.add(job.jobId());
            }
        }
        int count = store.releaseDispatches(released);
        signal.wake();
        if (removed == 1) {
            log.info("{} '{}' resumed by {}: {} waiting job(s) due again", kind.wireName(), name, who, count);
        } else {
            log.info("{} '{}' resume asked by {}: it was not paused ({} job(s) due again)", kind.wireName(), name,
                    who, count);
        }
        return count;
    }

    public Optional<Pause> find(Kind kind, String name) {
        return jdbc.query("SELECT * FROM queue_pauses WHERE kind = :kind AND name = :name", params(kind, name),
                (rs, i) -> pause(rs)).stream().findFirst();
    }

    /** Every pause, as the table has it now. */
    public List<Pause> all() {
        return jdbc.query("SELECT * FROM queue_pauses ORDER BY kind, name", new MapSqlParameterSource(),
                (rs, i) -> pause(rs));
    }

    /**
     * The dispatcher's filter: the jobs of {@code due} whose lane and type are not paused; the others are held back
     * in the table until a resume. With nothing paused the batch passes as it is, without a statement.
     */
    public List<DueJob> holdBack(List<DueJob> due) {
        Snapshot current = current();
        if (current.isEmpty() || due.isEmpty()) {
            return due;
        }
        List<DueJob> publish = new ArrayList<>(due.size());
        List<String> held = new ArrayList<>();
        for (DueJob job : due) {
            if (current.types().contains(job.type()) || current.lanes().contains(router.laneFor(job))) {
                held.add(job.jobId());
            } else {
                publish.add(job);
            }
        }
        store.holdDispatches(held);
        return publish;
    }

    private Snapshot current() {
        Snapshot current = snapshot;
        long now = System.nanoTime();
        if (!current.expired() && now - current.readAt() < DISPATCH_VIEW_NANOS) {
            return current;
        }
        Set<String> lanes = new java.util.HashSet<>();
        Set<String> types = new java.util.HashSet<>();
        for (Pause pause : all()) {
            (pause.kind() == Kind.LANE ? lanes : types).add(pause.name());
        }
        Snapshot read = new Snapshot(Set.copyOf(lanes), Set.copyOf(types), now, false);
        snapshot = read;
        return read;
    }

    private void checkKnown(Kind kind, String name) {
        if (!known(kind).contains(name)) {
            throw new UnknownQueueException(kind, name, known(kind));
        }
    }

    private static MapSqlParameterSource params(Kind kind, String name) {
        return new MapSqlParameterSource("kind", kind.wireName()).addValue("name", name);
    }

    private static Pause pause(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Pause(Kind.valueOf(rs.getString("kind").toUpperCase(Locale.ROOT)), rs.getString("name"),
                rs.getString("paused_by"), rs.getTimestamp("paused_at").toInstant());
    }

    /** What the dispatcher last read of queue_pauses, and when (System.nanoTime); expired: read it again. */
    private record Snapshot(Set<String> lanes, Set<String> types, long readAt, boolean expired) {

        boolean isEmpty() {
            return lanes.isEmpty() && types.isEmpty();
        }

        Snapshot stale() {
            return new Snapshot(lanes, types, readAt, true);
        }
    }
}
