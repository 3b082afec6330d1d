package dev.conveyor.intake;

import dev.conveyor.security.ApiKeys;
import dev.conveyor.security.Caller;
import dev.conveyor.security.Callers;
import dev.conveyor.security.Role;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Who calls and for which tenant, a parameter of every API operation ({@link Resolver}). The tenant is the key's.
 * Only an admin key may name another with the X-Tenant-Id request header. Public: the schedules API
 * (schedule/SchedulesController) takes it too.
 */
public record RequestScope(Caller caller, String tenantId) {

    static final String TENANT_HEADER = "X-Tenant-Id";

    static RequestScope of(HttpServletRequest request) {
        Caller caller = Callers.of(request)
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

    /** Gives an operation that declares a {@code RequestScope} parameter its caller's (registered by {@link ApiConfig}). */
    static final class Resolver implements HandlerMethodArgumentResolver {

        @Override
        public boolean supportsParameter(MethodParameter parameter) {
            return parameter.getParameterType() == RequestScope.class;
        }

        @Override
        public RequestScope resolveArgument(MethodParameter parameter, ModelAndViewContainer mavContainer,
                                            NativeWebRequest webRequest, WebDataBinderFactory binderFactory) {
            return of(webRequest.getNativeRequest(HttpServletRequest.class));
        }
    }
}
