package dev.conveyor.validation;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * All rule sets, loaded once at start and looked up by marketplace and category. Immutable and thread-safe.
 *
 * <p>Layout (classpath {@code rules/} and the optional external directory alike):
 * {@code default.yaml} (the fallback for everything), {@code <marketplace>/default.yaml} and
 * {@code <marketplace>/<category>.yaml} ({@code .yml} also accepted in the external directory). Classpath
 * rule sets are listed in {@code rules/index.txt}, because a classpath directory cannot be listed reliably
 * inside a packaged jar. A file in the external directory replaces the classpath file with the same key and
 * may add new keys. Keys are lower-cased; lookups are case-insensitive.
 *
 * <p>Marketplace and category values coming from users are only ever used as keys into maps built at load
 * time, never to build a path, so they cannot reach files outside the rules directory.
 */
public final class RuleSetRepository {

    /** Classpath folder holding the shipped rule sets. */
    public static final String CLASSPATH_ROOT = "rules";
    /** The fallback rule set's key, and the file/category name of a marketplace's fallback. */
    public static final String DEFAULT = "default";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private final RuleSet defaultRuleSet;
    /** marketplace -> category ({@code default} for the marketplace's fallback) -> rule set. */
    private final Map<String, Map<String, RuleSet>> byMarketplace;
    /** {@code default}, {@code m/default}, {@code m/c} -> rule set, sorted. */
    private final Map<String, RuleSet> byKey;

    private RuleSetRepository(Map<String, RuleSet> byKey) {
        this.byKey = Collections.unmodifiableMap(new TreeMap<>(byKey));
        Map<String, Map<String, RuleSet>> markets = new LinkedHashMap<>();
        for (Map.Entry<String, RuleSet> e : this.byKey.entrySet()) {
            int slash = e.getKey().indexOf('/');
            if (slash > 0) {
                markets.computeIfAbsent(e.getKey().substring(0, slash), k -> new LinkedHashMap<>())
                        .put(e.getKey().substring(slash + 1), e.getValue());
            }
        }
        markets.replaceAll((k, v) -> Map.copyOf(v));
        this.byMarketplace = Map.copyOf(markets);
        this.defaultRuleSet = this.byKey.get(DEFAULT);
    }

    /**
     * Loads the classpath rule sets, then the external directory's (if given), validating every file.
     *
     * @param externalDirOrNull a directory with the same layout, or null
     * @throws IllegalStateException if a file is malformed (message names the file and the problem),
     *                               {@code default.yaml} is missing, or the directory does not exist
     */
    public static RuleSetRepository load(Path externalDirOrNull) {
        return load(CLASSPATH_ROOT, externalDirOrNull);
    }

    /** Like {@link #load(Path)} with another classpath folder (tests). */
    static RuleSetRepository load(String classpathRoot, Path externalDirOrNull) {
        Map<String, RuleSet> rules = new LinkedHashMap<>();
        loadClasspath(classpathRoot, rules);
        if (externalDirOrNull != null) {
            loadDirectory(externalDirOrNull, rules);
        }
        if (!rules.containsKey(DEFAULT)) {
            throw new IllegalStateException("no default rule set: classpath:" + classpathRoot
                    + "/default.yaml is missing" + (externalDirOrNull == null ? "" : " and so is "
                    + externalDirOrNull.resolve("default.yaml")));
        }
        return new RuleSetRepository(rules);
    }

    /**
     * The rule set for a listing: {@code <marketplace>/<category>}, else {@code <marketplace>/default},
     * else {@code default}. Case-insensitive, surrounding spaces ignored; null or blank arguments skip
     * the corresponding step. Never null.
     */
    public RuleSet forListing(String marketplace, String category) {
        String m = normalize(marketplace);
        if (m != null) {
            Map<String, RuleSet> categories = byMarketplace.get(m);
            if (categories != null) {
                String c = normalize(category);
                RuleSet found = c == null ? null : categories.get(c);
                if (found == null) {
                    found = categories.get(DEFAULT);
                }
                if (found != null) {
                    return found;
                }
            }
        }
        return defaultRuleSet;
    }

    /** The {@code default} rule set. */
    public RuleSet defaultRuleSet() {
        return defaultRuleSet;
    }

    /** Exact lookup by key ({@code default}, {@code mercado_livre/default}, {@code mercado_livre/electronics}), case-insensitive. */
    public Optional<RuleSet> find(String key) {
        String k = normalize(key);
        return k == null ? Optional.empty() : Optional.ofNullable(byKey.get(k));
    }

    /** All keys, sorted. */
    public Set<String> keys() {
        return byKey.keySet();
    }

    private static String normalize(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return value.trim().toLowerCase(Locale.ROOT);
    }

    private static void loadClasspath(String root, Map<String, RuleSet> into) {
        ClassLoader loader = RuleSetRepository.class.getClassLoader();
        String indexName = root + "/index.txt";
        List<String> entries = new ArrayList<>();
        try (InputStream in = loader.getResourceAsStream(indexName)) {
            if (in == null) {
                throw new IllegalStateException("classpath:" + indexName + " is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = reader.readLine()) != null; ) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    entries.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read classpath:" + indexName, e);
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (String entry : entries) {
            String source = "classpath:" + root + "/" + entry;
            String key = keyFor(entry, source);
            if (seen.put(key, source) != null) {
                throw new IllegalStateException("classpath:" + indexName + " lists rule set '" + key + "' twice");
            }
            try (InputStream in = loader.getResourceAsStream(root + "/" + entry)) {
                if (in == null) {
                    throw new IllegalStateException("classpath:" + indexName + " lists " + entry
                            + " but " + source + " does not exist");
                }
                into.put(key, RuleSetParser.parse(source, key, in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + source, e);
            }
        }
    }

    private static void loadDirectory(Path dir, Map<String, RuleSet> into) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("rules directory " + dir + " does not exist or is not a directory");
        }
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> top = Files.list(dir)) {
            for (Path p : top.sorted().toList()) {
                String fileName = p.getFileName().toString();
                if (fileName.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    try (Stream<Path> inner = Files.list(p)) {
                        for (Path f : inner.sorted().toList()) {
                            if (isYaml(f)) {
                                addFile(files, fileName + "/" + f.getFileName(), f);
                            }
                        }
                    }
                } else if (isYaml(p)) {
                    addFile(files, fileName, p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list rules directory " + dir, e);
        }
        for (Map.Entry<String, Path> e : files.entrySet()) {
            try (InputStream in = Files.newInputStream(e.getValue())) {
                into.put(e.getKey(), RuleSetParser.parse(e.getValue().toString(), e.getKey(), in));
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read rule set file " + e.getValue(), ex);
            }
        }
    }

    private static void addFile(Map<String, Path> files, String relative, Path file) {
        String key = keyFor(relative, file.toString());
        Path previous = files.put(key, file);
        if (previous != null) {
            throw new IllegalStateException("rule set '" + key + "' is defined twice: " + previous + " and " + file);
        }
    }

    private static boolean isYaml(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml")) && Files.isRegularFile(p);
    }

    /** {@code default.yaml} -> default, {@code M/c.yaml} -> m/c; anything else is rejected. */
    private static String keyFor(String relative, String source) {
        String withoutExt = relative.replaceFirst("(?i)\\.ya?ml$", "");
        if (withoutExt.equals(relative)) {
            throw new IllegalStateException("rule set file " + source + " must end in .yaml");
        }
        String[] parts = withoutExt.split("/", -1);
        for (String part : parts) {
            if (!SEGMENT.matcher(part).matches()) {
                throw new IllegalStateException("rule set file " + source
                        + ": names may only use letters, digits, '_', '-' and '.'");
            }
        }
        String key = withoutExt.toLowerCase(Locale.ROOT);
        if (parts.length == 1 && !key.equals(DEFAULT)) {
            throw new IllegalStateException("rule set file " + source + ": at the top level only default.yaml is"
                    + " allowed; put marketplace rule sets in <marketplace>/<category>.yaml");
        }
        if (parts.length > 2) {
            throw new IllegalStateException("rule set file " + source
                    + ": expected default.yaml, <marketplace>/default.yaml or <marketplace>/<category>.yaml");
        }
        return key;
    }
}
