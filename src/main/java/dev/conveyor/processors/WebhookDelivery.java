package dev.conveyor.processors;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.conveyor.config.BatchProperties;
import dev.conveyor.processors.OutboundAddresses.Messages;
import dev.conveyor.processors.OutboundAddresses.RefusedAddressException;
import dev.conveyor.worker.PermanentJobException;
import dev.conveyor.worker.TransientJobException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.impl.EnglishReasonPhraseCatalog;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * POSTs a webhook callback to its receiver, fenced as bulk_import's fetches are ({@link OutboundAddresses}, with the
 * lists of {@code conveyor.batches.webhooks}): the URL's host must be allowed, every address it resolves to public
 * (or under an allowed CIDR), checked by the client's own DNS resolver so the connection goes to the address that
 * was checked; redirects are not followed; one attempt has one deadline. What the answer means for the delivery:
 * 2xx delivered; 5xx, 408, 429, a timeout or a connection that fails are transient (the job is retried with backoff);
 * any other answer (4xx, a redirect) is permanent. The answer's body is never read, nor echoed.
 */
@Component
public class WebhookDelivery implements DisposableBean {

    private static final int MAX_URL_LENGTH = 2048;
    private static final OutboundAddresses.Settings SETTINGS = new OutboundAddresses.Settings(
            "conveyor.batches.webhooks.allowed-hosts (BATCH_WEBHOOK_ALLOWED_HOSTS)",
            "conveyor.batches.webhooks.allowed-addresses (BATCH_WEBHOOK_ALLOWED_ADDRESSES)",
            "webhook callbacks are off: set conveyor.batches.webhooks.allowed-hosts (BATCH_WEBHOOK_ALLOWED_HOSTS) to "
                    + "the hosts webhooks may be posted to");

    private final OutboundAddresses addresses;
    private final String secret;
    private final Duration timeout;
    private final CloseableHttpClient http;
    /** Aborts attempts that pass their deadline; one daemon thread, idle between deadlines. */
    private final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "webhook-deadlines");
        thread.setDaemon(true);
        return thread;
    });

    /** What a receiver answered with a 2xx. */
    public record Delivered(int status) {
    }

    @Autowired
    public WebhookDelivery(BatchProperties properties) {
        this(properties, InetAddress::getAllByName);
    }

    WebhookDelivery(BatchProperties properties, OutboundAddresses.Lookup lookup) {
        BatchProperties.Webhooks config = properties.webhooks();
        this.addresses = new OutboundAddresses(config.allowedHosts(), config.allowedAddresses(), lookup, SETTINGS);
        this.secret = config.secret() == null ? "" : config.secret();
        this.timeout = config.timeout();
        this.http = CheckedHttpClient.of(addresses, timeout, timeout, true);
    }

    /** The secret deliveries are signed with (empty when none is set). */
    public String secret() {
        return secret;
    }

    /**
     * Why a webhook may not be posted to {@code url}, judged without DNS (what the host resolves to is checked when
     * the delivery connects, since DNS can change in between); empty when it may.
     */
    public Optional<String> urlProblem(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            return Optional.of("is longer than " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("is not a URL: " + Messages.shorten(e.getMessage()));
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http or https URL, not '" + Messages.shorten(url) + "'");
        }
        if (uri.getHost() == null) {
            return Optional.of(Messages.shorten(url) + " has no host");
        }
        if (uri.getRawUserInfo() != null) {
            return Optional.of("must not carry a user name or password: the receiver checks the signature instead");
        }
        Optional<String> hostProblem = addresses.hostProblem(uri.getHost());
        if (hostProblem.isPresent()) {
            return hostProblem;
        }
        if (secret.isEmpty()) {
            return Optional.of("cannot be signed: set conveyor.batches.webhooks.secret (BATCH_WEBHOOK_SECRET), the key "
                    + "every delivery is signed with");
        }
        return Optional.empty();
    }

    /**
     * POSTs {@code body} (JSON) with {@code headers} to {@code url}.
     *
     * @throws PermanentJobException for a URL no longer allowed, an address refused, a redirect or a 4xx other than
     *                               408 and 429
     * @throws TransientJobException for a 5xx, 408 or 429
     * @throws IOException           when the receiver could not be reached or did not answer in time (transient)
     */
    public Delivered post(String url, byte[] body, Map<String, String> headers) throws IOException {
        Optional<String> problem = urlProblem(url);
        if (problem.isPresent()) {
            // the settings may have changed since the callback was accepted
            throw new PermanentJobException("webhook URL " + problem.get());
        }
        String shown = Messages.shorten(url);
        HttpPost post = new HttpPost(URI.create(url));
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = deadlines.schedule(() -> {
            timedOut.set(true);
            post.cancel();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        int status;
        try {
            ClassicHttpResponse response = http.executeOpen(null, post, null);
            status = response.getCode();
            // the body is not wanted: drop the connection rather than read whatever the receiver sends
            post.cancel();
            closeQuietly(response);
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException("webhook " + shown + " did not answer within conveyor.batches.webhooks.timeout ("
                        + timeout + ")");
            }
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof RefusedAddressException refused) {
                    throw new PermanentJobException("webhook URL " + refused.getMessage());
                }
            }
            throw e;
        } finally {
            deadline.cancel(false);
        }
        return judge(status, shown);
    }

    private static void closeQuietly(ClassicHttpResponse response) {
        try {
            response.close();
        } catch (IOException e) {
            // the connection was dropped on purpose; there is nothing left to release
        }
    }

    private static Delivered judge(int status, String shown) {
        // the standard reason phrase for the code, never the receiver's own, which could say anything
        String statusLine = "HTTP " + status + Optional.ofNullable(EnglishReasonPhraseCatalog.INSTANCE.getReason(status,
                Locale.ENGLISH)).map(r -> " " + r).orElse("");
        if (status >= 200 && status < 300) {
            return new Delivered(status);
        }
        if (status >= 300 && status < 400) {
            throw new PermanentJobException("webhook " + shown + " answered " + statusLine
                    + "; redirects are not followed: configure the final URL");
        }
        if (status >= 500 || status == 408 || status == 429) {
            throw new TransientJobException("webhook " + shown + " answered " + statusLine);
        }
        throw new PermanentJobException("webhook " + shown + " answered " + statusLine);
    }

    @Override
    public void destroy() throws IOException {
        deadlines.shutdownNow();
        http.close();
    }
}
