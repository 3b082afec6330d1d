package dev.conveyor.security;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

import dev.conveyor.config.HawtioProperties;
import dev.conveyor.config.SecurityProperties;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Hawtio's login asks a JAAS realm (hawtio.realm, "conveyor" by default). This declares that realm, as a JAAS
 * configuration file would, with {@link ApiKeyLoginModule}: the same operator and admin keys as the API (the key
 * is the password), and the console users of conveyor.security.console-users. Another realm name is left to the
 * JVM's own JAAS configuration, so an operator can still point Hawtio at a directory of their own.
 *
 * <p>Hawtio reads its realm's modules once, while the web server starts, which is before the beans that reach
 * the database exist: the realm is declared first ({@link #declareRealm}), and the keys it checks are attached
 * when they are ready. Several services share a test JVM's JAAS configuration, each with a realm of its own.
 */
@Component
public class HawtioLogin implements InitializingBean, DisposableBean {

    private static final Map<String, Backing> REALMS = new ConcurrentHashMap<>();
    private static volatile boolean installed;

    private final String realm;
    private final ApiKeys keys;
    private final SecurityProperties security;

    public HawtioLogin(HawtioProperties hawtio, ApiKeys keys, SecurityProperties security) {
        this.realm = hawtio.realm();
        this.keys = keys;
        this.security = security;
    }

    /** What a realm checks logins against; absent while its service is starting. */
    record Backing(ApiKeys keys, List<SecurityProperties.ConsoleUser> users) {
    }

    static Backing backing(String realm) {
        return REALMS.get(realm);
    }

    /** Declares the realm before the web server (and Hawtio in it) starts. */
    @Bean
    static BeanFactoryPostProcessor declareRealm() {
        return new RealmDeclaration();
    }

    @Override
    public void afterPropertiesSet() {
        REALMS.put(realm, new Backing(keys, security.consoleUsers()));
    }

    @Override
    public void destroy() {
        REALMS.remove(realm);
    }

    private static final Map<String, Boolean> DECLARED = new ConcurrentHashMap<>();

    private static synchronized void declare(String realm) {
        Configuration current = jvmConfiguration();
        if (!DECLARED.containsKey(realm) && current != null && current.getAppConfigurationEntry(realm) != null) {
            // the JVM's JAAS configuration has this realm already (a directory of the operator's): it is theirs
            return;
        }
        DECLARED.put(realm, true);
        if (installed) {
            return;
        }
        Configuration previous = current;
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                if (DECLARED.containsKey(name)) {
                    return new AppConfigurationEntry[] {new AppConfigurationEntry(ApiKeyLoginModule.class.getName(),
                            LoginModuleControlFlag.REQUIRED, Map.of(ApiKeyLoginModule.REALM, name))};
                }
                return previous == null ? null : previous.getAppConfigurationEntry(name);
            }
        });
        installed = true;
    }

    private static Configuration jvmConfiguration() {
        try {
            return Configuration.getConfiguration();
        } catch (SecurityException noConfigurationFile) {
            return null;
        }
    }

    private static final class RealmDeclaration implements BeanFactoryPostProcessor, EnvironmentAware {

        private Environment environment;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void postProcessBeanFactory(
                org.springframework.beans.factory.config.ConfigurableListableBeanFactory beanFactory) {
            // before any bean exists, so the record is bound here rather than injected
            declare(Binder.get(environment).bindOrCreate("hawtio", HawtioProperties.class).realm());
        }
    }
}
