package dev.conveyor.ui;

import com.samskivert.mustache.Mustache;
import org.springframework.boot.autoconfigure.mustache.MustacheResourceTemplateLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The dashboard's templates render an absent value (a job with no result, a page without a caller) as nothing
 * rather than failing the page: jmustache's default is to throw on a missing or null variable.
 */
@Configuration(proxyBeanMethods = false)
class MustacheSettings {

    @Bean
    Mustache.Compiler mustacheCompiler(MustacheResourceTemplateLoader templateLoader) {
        return Mustache.compiler().withLoader(templateLoader).defaultValue("").emptyStringIsFalse(true);
    }
}
