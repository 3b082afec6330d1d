package dev.conveyor.worker;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import dev.conveyor.validation.CsvFormatException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.stereotype.Component;

/**
 * Decides whether a failure is worth another attempt, by exception type (and SQL state), never by message
 * text. A job type's processor is asked first ({@link JobProcessor#classify}); then this table, walking the
 * cause chain; what nothing recognises is permanent — a bug does not go away by running it again.
 */
@Component
public class ErrorClassifier {

    /** Most specific first: the first type an exception is an instance of decides. */
    private static final Map<Class<? extends Throwable>, ErrorKind> BY_TYPE = new LinkedHashMap<>();

    static {
        BY_TYPE.put(PermanentJobException.class, ErrorKind.PERMANENT);
        BY_TYPE.put(TransientJobException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(CsvFormatException.class, ErrorKind.PERMANENT);
        BY_TYPE.put(SQLTransientException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(SQLRecoverableException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(TransientDataAccessException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(RecoverableDataAccessException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(TimeoutException.class, ErrorKind.TRANSIENT);
        BY_TYPE.put(IOException.class, ErrorKind.TRANSIENT);
    }

    /** SQL state classes that name a passing condition: connection, rollback (deadlock), resources, shutdown. */
    private static final Set<String> TRANSIENT_SQL_STATE_CLASSES = Set.of("08", "40", "53", "57");

    public ErrorKind classify(Throwable failure, JobProcessor processor) {
        if (processor != null) {
            Optional<ErrorKind> own = processor.classify(failure);
            if (own.isPresent()) {
                return own.get();
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Map.Entry<Class<? extends Throwable>, ErrorKind> entry : BY_TYPE.entrySet()) {
                if (entry.getKey().isInstance(t)) {
                    return entry.getValue();
                }
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().length() >= 2
                    && TRANSIENT_SQL_STATE_CLASSES.contains(sql.getSQLState().substring(0, 2))) {
                return ErrorKind.TRANSIENT;
            }
        }
        return ErrorKind.PERMANENT;
    }
}
