package dev.conveyor.intake;

import dev.conveyor.security.ApiKeys;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Callers;
import dev.conveyor.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.springboot.PlatformHttpMessage;

/**
 * Who calls and for which tenant. The tenant is the key's. Only an admin key may name another with the
 * X-Tenant-Id request header; a query parameter of that name, which Camel would also show as a header, is never
 * read: the header is taken from the HTTP request itself.
 */
record RequestScope(Caller caller, String tenantId) {

    static final String TENANT_HEADER = "X-Tenant-Id";

    static RequestScope of(Exchange exchange) {
        PlatformHttpMessage message = exchange.getIn(PlatformHttpMessage.class);
        HttpServletRequest request = message == null ? null : message.getRequest();
        Caller caller = (request == null ? java.util.Optional.<Caller>empty() : Callers.of(request))
                .orElseThrow(() -> new ProblemException(401, "Unauthorized", "this endpoint needs an API key: "
                        + "send 'Authorization: Bearer <key>'"));
        String asked = request.getHeader(TENANT_HEADER);
        if (asked == null || asked.isBlank() || asked.trim().equals(caller.tenantId())) {
            return new RequestScope(caller, caller.tenantId());
        }
        if (!caller.may(Role.ADMIN)) {
            throw new ProblemException(403, "Forbidden", "only an admin key may act for another tenant with "
                    + TENANT_HEADER + "; this key belongs to tenant '" + caller.tenantId() + "'");
        }
        String tenant = asked.trim();
        if (!ApiKeys.isTenantId(tenant)) {
            throw ProblemException.badRequest(TENANT_HEADER + " must be 1-64 letters, digits, '_', '.' or '-'");
        }
        return new RequestScope(caller, tenant);
    }
}
