package dev.conveyor.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

/**
 * {@code conveyor.batches}: how finished batches are closed (the batch-completion route). Defaults: application.yaml
 * only (docs/configuration.md).
 *
 * @param completionPeriodMs how often each instance looks for batches whose jobs are all final; the delay between a
 *                           batch's last job ending and the batch completing is at most this
 * @param completionMax      how many batches one look closes at most (each in its own short transaction)
 * @param inboxCallbacks     the callbacks of the batches of files dropped into an inbox folder (docs/batches.md)
 * @param webhooks           where a batch's webhook callbacks may be posted and how they are signed
 */
@ConfigurationProperties("conveyor.batches")
public record BatchProperties(long completionPeriodMs, int completionMax,
                              @DefaultValue List<InboxCallback> inboxCallbacks, Webhooks webhooks)
        implements Validator {

    /**
     * {@code conveyor.batches.webhooks}: a webhook callback is the service making a request to a URL a caller chose,
     * so it only goes to {@code allowedHosts} (empty: webhooks are refused) and to public addresses, or internal
     * ones under {@code allowedAddresses} (CIDRs), as bulk_import's fetches do. Every delivery is signed with
     * {@code secret} (HMAC-SHA256; empty: webhooks are refused); {@code timeout} bounds one delivery attempt, from
     * connecting to the answer's status line.
     */
    public record Webhooks(@DefaultValue List<String> allowedHosts, @DefaultValue List<String> allowedAddresses,
                           String secret, Duration timeout) {
    }

    /**
     * The callbacks of every file dropped in {@code folder} (relative to the inbox, {@code <marketplace>/<category>}
     * or deeper) or below it: each the body {@code POST /jobs} takes, as JSON text (a map bound from YAML would lose
     * the underscores of its keys, {@code load_to_warehouse}), in whose strings {@code {marketplace}},
     * {@code {category}} and {@code {region}} stand for the file's.
     */
    public record InboxCallback(String folder, String onComplete, String onSuccess) {
    }

    @Override
    public boolean supports(Class<?> type) {
        return BatchProperties.class.isAssignableFrom(type);
    }

    @Override
    public void validate(Object target, Errors errors) {
        BatchProperties b = (BatchProperties) target;
        Checks checks = new Checks(errors)
                .atLeast("completionPeriodMs", b.completionPeriodMs, 1)
                .atLeast("completionMax", b.completionMax, 1);
        checks.present("webhooks", b.webhooks);
        if (b.webhooks != null) {
            checks.positive("webhooks.timeout", b.webhooks.timeout());
        }
        for (int i = 0; i < b.inboxCallbacks.size(); i++) {
            InboxCallback callback = b.inboxCallbacks.get(i);
            String folder = callback.folder();
            checks.holds("inboxCallbacks[" + i + "].folder", folder, folder != null && !folder.isBlank()
                            && !folder.startsWith("/") && !folder.contains(".."),
                    "must be a folder inside the inbox, such as mercado_livre/electronics")
                    .holds("inboxCallbacks[" + i + "].onComplete", callback.onComplete(),
                            callback.onComplete() != null || callback.onSuccess() != null,
                            "or on-success must name a job to submit");
        }
    }
}
