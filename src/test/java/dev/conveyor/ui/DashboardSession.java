package dev.conveyor.ui;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser's view of the dashboard over plain HTTP: it keeps cookies (the session), follows no redirect (a test
 * looks at where it is sent) and reads the CSRF token from the last page's hidden field, as a form would send it.
 */
final class DashboardSession {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final String base;
    private final HttpClient client;
    private String csrf;

    DashboardSession(int port) {
        this.base = "http://localhost:" + port;
        this.client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    }

    HttpResponse<String> get(String path) {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        Matcher token = CSRF.matcher(page.body());
        if (token.find()) {
            csrf = token.group(1);
        }
        return page;
    }

    /** A form's POST with the CSRF token of the last page read. */
    HttpResponse<String> post(String path, String... fields) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i + 1 < fields.length; i += 2) {
            form.append(encode(fields[i])).append('=').append(encode(fields[i + 1])).append('&');
        }
        if (csrf != null) {
            form.append("_csrf=").append(encode(csrf));
        }
        return postRaw(path, form.toString());
    }

    /** What the batch page's replay form sends: the CSV itself, the CSRF token of the last page read in its header. */
    HttpResponse<String> postCsv(String path, String csv) {
        return postCsv(path, csv, true);
    }

    /** The same, with or without the CSRF token. */
    HttpResponse<String> postCsv(String path, String csv, boolean withToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString(csv));
        if (withToken && csrf != null) {
            request.header("X-CSRF-TOKEN", csrf);
        }
        return send(request);
    }

    /** A POST with exactly this body: no CSRF token unless the body has one. */
    HttpResponse<String> postRaw(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Logs in through the form; answers where the login sent the browser. */
    String logIn(String key) {
        get("/ui/login");
        HttpResponse<String> login = post("/ui/login", "key", key);
        return login.headers().firstValue("Location").orElse("(no redirect: " + login.statusCode() + ")");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
