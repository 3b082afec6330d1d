package dev.conveyor.processors;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;

/**
 * The HTTP client of every outbound call a caller chooses the address of (bulk_import's fetches, batch webhooks):
 * each connection goes only where {@link OutboundAddresses} allows, and nothing the client does by itself can take
 * a request anywhere else (docs/security.md, "Outbound calls").
 */
final class CheckedHttpClient {

    private CheckedHttpClient() {
    }

    /**
     * @param connectTimeout how long connecting may take
     * @param readTimeout    how long the answer, and each read of it, may take
     * @param decompress     whether a gzip or deflate answer is expanded (off where bytes are counted against a cap)
     */
    static CloseableHttpClient of(OutboundAddresses addresses, Duration connectTimeout, Duration readTimeout,
                                  boolean decompress) {
        // DNS rebinding: a name could resolve to a public address when checked and to 127.0.0.1 when connected. The
        // client's DNS resolver is the check itself, so the addresses the socket connects to are exactly the ones
        // that were checked, with no second lookup in between; TLS still verifies the certificate against the host
        // name in the URL (which connecting to an IP literal with a Host header would lose).
        DnsResolver checkedResolver = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return addresses.resolve(host);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host; // only used for Kerberos/SPNEGO, which this client never does
            }
        };
        Timeout read = Timeout.ofMilliseconds(readTimeout.toMillis());
        HttpClientBuilder builder = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(checkedResolver)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis()))
                                .setSocketTimeout(read)
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setResponseTimeout(read)
                        .build())
                // a redirect would be a second, unchecked request (to 127.0.0.1, say): a 3xx fails the call instead
                .disableRedirectHandling()
                // no proxy from system properties (the default without useSystemProperties()): a proxy would make
                // the connection, and so the address check, somebody else's. The job system retries, with backoff
                // and a count in the database; not the client behind its back.
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching();
        if (!decompress) {
            builder.disableContentCompression();
        }
        return builder.build();
    }
}
