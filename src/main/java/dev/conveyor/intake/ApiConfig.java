package dev.conveyor.intake;

import java.util.List;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The API's operations may declare a {@link RequestScope} parameter: the caller and the tenant it acts for. */
@Configuration(proxyBeanMethods = false)
class ApiConfig implements WebMvcConfigurer {

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new RequestScope.Resolver());
    }
}
