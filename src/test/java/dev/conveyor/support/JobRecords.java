package dev.conveyor.support;

import java.lang.reflect.RecordComponent;
import java.util.Map;

import dev.conveyor.job.Job;

/** Job records for tests of pure logic: the fields named, every other one empty (false, 0 or null). */
public final class JobRecords {

    private JobRecords() {
    }

    /** A job with these fields by their record component names ({@code jobId}, {@code resultJson}, ...). */
    public static Job job(Map<String, Object> fields) {
        RecordComponent[] components = Job.class.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            Object value = fields.get(components[i].getName());
            if (value == null && types[i] == int.class) {
                value = 0;
            } else if (value == null && types[i] == long.class) {
                value = 0L;
            } else if (value == null && types[i] == boolean.class) {
                value = false;
            }
            values[i] = value;
        }
        try {
            return Job.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
