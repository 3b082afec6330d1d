package dev.conveyor.security;

import java.util.List;

import dev.conveyor.config.HawtioProperties;
import dev.conveyor.config.SecurityProperties;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Who may call what (docs/security.md). Every request needs an API key except the two health probes (and
 * Prometheus when conveyor.security.public-metrics is on). Hawtio and Jolokia are behind Hawtio's own login,
 * which is on by default and accepts operator and admin keys ({@link HawtioLogin}); turned off, they need an
 * operator key as a bearer token like the API.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfig {

    private static final String READER = "READER";
    private static final String SUBMITTER = "SUBMITTER";
    private static final String OPERATOR = "OPERATOR";
    private static final String ADMIN = "ADMIN";

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(ADMIN).implies(OPERATOR)
                .role(OPERATOR).implies(SUBMITTER)
                .role(SUBMITTER).implies(READER)
                .build();
    }

    /**
     * No observation of each security filter, authentication and authorization: wrapping every filter of the chain
     * in an observation was about 10% of the service's CPU per job in bench/run's W1 (docs/benchmarks.md). The
     * request timer (http_server_requests_seconds, with the status: 401, 403) still counts what was refused.
     */
    @Bean
    static SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * The dashboard (/ui/**, docs/dashboard.md) is a browser's, so unlike the API it keeps a session and therefore
     * checks a CSRF token on every POST. One logs in with an API key in a form ({@link ApiKeyLogin}); the session
     * holds the caller, never the key, and its id changes at login. Roles as on the API: a reader sees every
     * page, an operator's POSTs act. A visitor without a session is sent to the login page, never given a 401.
     * A key revoked during a session ends it ({@link RevokedKeySessions}). The htmx script (a webjar) and the stylesheet are open: the login page needs them before anyone logs in.
     */
    @Bean
    @Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, ApiKeyIntrospector introspector, ApiKeys keys)
            throws Exception {
        http
                .securityMatcher("/ui", "/ui/**", "/webjars/htmx.org/**")
                .authenticationProvider(new ApiKeyLogin(introspector))
                // a key revoked while its session lasts ends that session at its next request
                .addFilterBefore(new RevokedKeySessions(keys), AuthorizationFilter.class)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .httpBasic(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .formLogin(login -> login
                        .loginPage("/ui/login")
                        .usernameParameter("key")
                        .passwordParameter("key")
                        .defaultSuccessUrl("/ui/", true)
                        .failureUrl("/ui/login?error")
                        .permitAll())
                .logout(logout -> logout
                        .logoutUrl("/ui/logout")
                        .logoutSuccessUrl("/ui/login?logout")
                        .permitAll())
                .authorizeHttpRequests(requests -> {
                    requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
                    requests.requestMatchers(HttpMethod.GET, "/webjars/htmx.org/**", "/ui/ui.css").permitAll();
                    requests.requestMatchers(HttpMethod.GET, "/ui", "/ui/**").hasRole(READER);
                    // every action of the dashboard (retry, cancel, replay, a schedule's trigger/pause/resume)
                    requests.requestMatchers(HttpMethod.POST, "/ui/**").hasRole(OPERATOR);
                    requests.anyRequest().denyAll();
                })
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint("/ui/login")));
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain conveyorSecurity(HttpSecurity http, ApiKeyIntrospector introspector,
                                         ProblemResponses problems, SecurityProperties security,
                                         HawtioProperties hawtio) throws Exception {
        boolean hawtioLogin = hawtio.authenticationEnabled();
        http
                // keys travel in a header a browser never adds by itself, so there is no cross-site request to
                // forge on the API; Jolokia checks the Origin of Hawtio's calls (jolokia-access.xml)
                .csrf(AbstractHttpConfigurer::disable)
                .cors(cors -> cors.configurationSource(cors(security.corsAllowedOrigins())))
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .authorizeHttpRequests(requests -> {
                    // a request was authorised on its way in: a dispatch of the same request that continues it
                    // (async) or renders its error page is not checked again
                    requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
                    requests.requestMatchers(HttpMethod.GET, "/actuator/health/liveness",
                            "/actuator/health/readiness").permitAll();
                    if (security.publicMetrics()) {
                        requests.requestMatchers(HttpMethod.GET, "/actuator/prometheus").permitAll();
                    }
                    if (hawtioLogin) {
                        requests.requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia",
                                "/actuator/jolokia/**").permitAll();
                    } else {
                        requests.requestMatchers("/actuator/hawtio", "/actuator/hawtio/**", "/actuator/jolokia",
                                "/actuator/jolokia/**").hasRole(OPERATOR);
                    }
                    requests.requestMatchers(HttpMethod.GET, "/actuator", "/actuator/**").hasRole(READER);
                    requests.requestMatchers("/actuator", "/actuator/**").hasRole(ADMIN);
                    requests.requestMatchers("/admin/**").hasRole(ADMIN);
                    // the API's operations (intake/*Controller), by path and method
                    requests.requestMatchers(HttpMethod.POST, "/jobs/*/cancel", "/jobs/*/retry",
                            "/dead-letters/*/replay", "/batches/*/cancel", "/batches/*/replay-invalid", "/jobs/cancel",
                            "/jobs/retry", "/dead-letters/replay").hasRole(OPERATOR);
                    // pausing and resuming a lane or job type (intake/PausesController)
                    requests.requestMatchers(HttpMethod.POST, "/lanes/*/pause", "/lanes/*/resume", "/types/*/pause",
                            "/types/*/resume").hasRole(OPERATOR);
                    requests.requestMatchers(HttpMethod.GET, "/lanes", "/types").hasRole(READER);
                    requests.requestMatchers(HttpMethod.POST, "/jobs", "/jobs/csv", "/jobs/batch")
                            .hasRole(SUBMITTER);
                    requests.requestMatchers(HttpMethod.GET, "/jobs", "/jobs/**", "/dead-letters",
                            "/dead-letters/**", "/batches", "/batches/**").hasRole(READER);
                    // the schedules API (schedule/SchedulesController): reading is a reader's, changing an operator's
                    requests.requestMatchers(HttpMethod.GET, "/schedules", "/schedules/*").hasRole(READER);
                    requests.requestMatchers(HttpMethod.PUT, "/schedules/*").hasRole(OPERATOR);
                    requests.requestMatchers(HttpMethod.DELETE, "/schedules/*").hasRole(OPERATOR);
                    requests.requestMatchers(HttpMethod.POST, "/schedules/*/pause", "/schedules/*/resume",
                            "/schedules/*/trigger").hasRole(OPERATOR);
                    // anything not named above (another method, a path of no route) is for admins only, so a
                    // new endpoint is closed until it is given a rule here
                    requests.anyRequest().hasRole(ADMIN);
                })
                .oauth2ResourceServer(server -> server
                        .opaqueToken(token -> token.introspector(introspector))
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems));
        return http.build();
    }

    /**
     * Cross-origin calls only from the configured origins, to the API only; none by default. A configuration is
     * registered for every path even when it allows no origin: Spring then refuses (403) a request whose Origin
     * is not the service's own instead of passing it on, so a page elsewhere can never drive Hawtio's Jolokia
     * with an operator's session, whatever Jolokia itself would answer.
     */
    private static CorsConfigurationSource cors(List<String> allowedOrigins) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        CorsConfiguration api = new CorsConfiguration();
        api.setAllowedOrigins(allowedOrigins);
        api.setAllowedMethods(List.of("GET", "POST", "DELETE"));
        api.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "X-Tenant-Id",
                "X-Priority", "X-Correlation-Id"));
        // keys travel in the Authorization header, never in cookies
        api.setAllowCredentials(false);
        CorsConfiguration sameOriginOnly = new CorsConfiguration();
        source.registerCorsConfiguration("/actuator/**", sameOriginOnly);
        source.registerCorsConfiguration("/**", api);
        return source;
    }
}
