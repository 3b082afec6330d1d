package dev.conveyor.intake;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.job.Batch.RowCounts;
import dev.conveyor.job.Job;
import dev.conveyor.job.JobStatus;
import dev.conveyor.processors.CsvValidationProcessor;
import dev.conveyor.processors.WarehouseLoadProcessor;

/**
 * A finished batch's row accounting, from what its jobs wrote in their results: a csv_validation's
 * {@code total_rows}, {@code valid_rows} and {@code error_rows}; a successful warehouse_load's {@code rows_received},
 * {@code distinct_skus}, {@code inserted}, {@code updated} and {@code unchanged}. It proves
 * {@code rows_total = rows_valid + rows_invalid} and, for the files that were loaded,
 * {@code rows_valid = rows_loaded + rows_unchanged} (rows_loaded: inserted or updated; rows whose sku an earlier row
 * of the same file had are merged into that row, and said so). Each equation that does not hold is a mismatch,
 * named with its numbers: the batch fails on it rather than reporting a success its rows do not add up to.
 * A replay of the invalid rows ({@link InvalidRowsReplay}, a validation of source {@code replay}) adds no rows to
 * rows_total: its valid rows move from rows_invalid to rows_valid, and its load counts as the file's does.
 */
final class RowAccounting {

    /**
     * The counts, the equations that failed (empty when all hold), the sentence that says what was checked, and
     * whether replays of the invalid rows fixed them all (nothing invalid left, every load done).
     */
    record Outcome(RowCounts rows, List<String> mismatches, String note, boolean replayedClean) {

        Outcome(RowCounts rows, List<String> mismatches, String note) {
            this(rows, mismatches, note, false);
        }
    }

    private RowAccounting() {
    }

    static Outcome of(List<Job> jobs, ObjectMapper json) {
        Map<String, JsonNode> validations = new HashMap<>();
        List<JsonNode> loads = new ArrayList<>();
        List<String> loadedValidations = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Job job : jobs) {
            JsonNode result = read(job.resultJson(), json);
            if (CsvValidationProcessor.TYPE.equals(job.type()) && result.has("total_rows")) {
                validations.put(job.jobId(), result);
            } else if (WarehouseLoadProcessor.TYPE.equals(job.type()) && job.status() == JobStatus.SUCCESS
                    && result.has("rows_received")) {
                loads.add(result);
                loadedValidations.add(job.parentJobId());
            } else if (WarehouseLoadProcessor.TYPE.equals(job.type())) {
                notes.add(job.jobId() + " (warehouse_load) ended " + job.status() + ": the valid rows of "
                        + job.parentJobId() + " are not loaded");
            }
        }
        if (validations.isEmpty()) {
            return new Outcome(RowCounts.NONE, List.of(), notes.isEmpty() ? null : String.join("; ", notes));
        }
        // a replay (InvalidRowsReplay) re-reads rows its file's validation counted invalid: its valid rows move
        // from rows_invalid to rows_valid, and rows_total stays the file's
        List<JsonNode> files = new ArrayList<>();
        List<JsonNode> replays = new ArrayList<>();
        for (Job job : jobs) {
            JsonNode result = validations.get(job.jobId());
            if (result != null) {
                (InvalidRowsReplay.REPLAY_SOURCE.equals(job.source()) ? replays : files).add(result);
            }
        }
        long fixed = sum(replays, "valid_rows");
        long total = sum(files, "total_rows");
        long valid = sum(files, "valid_rows") + fixed;
        long invalid = sum(files, "error_rows") - fixed;
        List<String> mismatches = new ArrayList<>();
        for (JsonNode replay : replays) {
            if (replay.path("total_rows").asLong() != replay.path("valid_rows").asLong()
                    + replay.path("error_rows").asLong()) {
                mismatches.add("a replay read " + replay.path("total_rows").asLong() + " rows but counted "
                        + replay.path("valid_rows").asLong() + " valid and " + replay.path("error_rows").asLong()
                        + " invalid");
            }
        }
        if (!replays.isEmpty()) {
            notes.add(fixed + " invalid rows fixed by " + replays.size() + " replay" + (replays.size() == 1 ? "" : "s"));
        }
        if (total != valid + invalid) {
            mismatches.add("rows_total " + total + " != rows_valid " + valid + " + rows_invalid " + invalid + " ("
                    + Math.abs(total - valid - invalid) + " rows " + (total > valid + invalid
                    ? "counted as neither valid nor invalid" : "counted twice") + ")");
        } else {
            notes.add(0, "rows_total " + total + " = rows_valid " + valid + " + rows_invalid " + invalid);
        }
        // only the validations' outcomes are about the invalid rows; every other job (the loads) must have succeeded
        boolean othersSucceeded = jobs.stream().allMatch(job -> CsvValidationProcessor.TYPE.equals(job.type())
                || job.status() == JobStatus.SUCCESS);
        boolean replayedClean = !replays.isEmpty() && invalid == 0 && othersSucceeded;
        if (loads.isEmpty()) {
            return new Outcome(new RowCounts(total, valid, invalid, null, null), mismatches, note(mismatches, notes),
                    replayedClean && mismatches.isEmpty());
        }
        long loaded = sum(loads, "inserted") + sum(loads, "updated");
        long unchanged = sum(loads, "unchanged");
        long merged = sum(loads, "rows_received") - sum(loads, "distinct_skus");
        // only the validations whose rows a load took count here: another file of the batch may not be loaded at all
        long validOfLoaded = loadedValidations.stream().map(validations::get).filter(java.util.Objects::nonNull)
                .mapToLong(result -> result.path("valid_rows").asLong()).sum();
        String mergedPart = merged == 0 ? "" : " + " + merged + " rows merged into an earlier row of the same sku";
        if (validOfLoaded != loaded + unchanged + merged) {
            mismatches.add("rows_valid " + validOfLoaded + " of the loaded files != rows_loaded " + loaded
                    + " + rows_unchanged " + unchanged + mergedPart + " (" + Math.abs(validOfLoaded - loaded
                    - unchanged - merged) + " valid rows " + (validOfLoaded > loaded + unchanged + merged
                    ? "missing from the warehouse" : "more in the warehouse than were valid") + ")");
        } else {
            notes.add("rows_valid " + validOfLoaded + (validOfLoaded == valid ? "" : " of the loaded files")
                    + " = rows_loaded " + loaded + " + rows_unchanged " + unchanged + mergedPart);
        }
        return new Outcome(new RowCounts(total, valid, invalid, loaded, unchanged), mismatches,
                note(mismatches, notes), replayedClean && mismatches.isEmpty());
    }

    private static String note(List<String> mismatches, List<String> notes) {
        List<String> all = new ArrayList<>();
        if (!mismatches.isEmpty()) {
            all.add("rows do not add up: " + String.join("; ", mismatches));
        }
        all.addAll(notes);
        return all.isEmpty() ? null : String.join("; ", all);
    }

    private static long sum(Iterable<JsonNode> results, String field) {
        long sum = 0;
        for (JsonNode result : results) {
            sum += result.path(field).asLong();
        }
        return sum;
    }

    /**
     * The top-level numbers of a job's result, the only fields counted here: its nested objects and arrays (a
     * validation's error samples, a load's details) are skipped by the parser, not built into a tree. A batch of
     * 500 jobs is closed by reading 500 results, and building each whole tree was half of the batch completion's CPU.
     */
    private static JsonNode read(String resultJson, ObjectMapper json) {
        ObjectNode counts = json.createObjectNode();
        if (resultJson == null) {
            return counts;
        }
        try (JsonParser parser = json.getFactory().createParser(resultJson)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return counts;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_NUMBER_INT) {
                    counts.put(field, parser.getLongValue());
                } else {
                    parser.skipChildren();
                }
            }
            return counts;
        } catch (IOException e) {
            throw new IllegalStateException("a stored job result does not parse", e);
        }
    }
}
