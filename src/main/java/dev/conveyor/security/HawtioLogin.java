package dev.conveyor.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.AppConfigurationEntry.LoginModuleControlFlag;
import javax.security.auth.login.Configuration;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Hawtio's login asks a JAAS realm (hawtio.realm). This declares that realm, as a JAAS configuration file would,
 * with {@link ApiKeyLoginModule}: the same operator and admin keys as the API (the key is the password), and the
 * console users of conveyor.security.console-users. Other realm names are left to the JVM's own configuration, so
 * an operator can still point hawtio.realm at a directory of their own.
 */
@Component
public class HawtioLogin implements InitializingBean, DisposableBean {

    /** The realms this JVM's services declared: tests run several services in one JVM, each its own realm. */
    private static final Map<String, AppConfigurationEntry[]> REALMS = new ConcurrentHashMap<>();
    private static volatile boolean installed;

    private final String realm;
    private final ApiKeys keys;
    private final SecurityProperties security;

    public HawtioLogin(@Value("${hawtio.realm:conveyor}") String realm, ApiKeys keys, SecurityProperties security) {
        this.realm = realm;
        this.keys = keys;
        this.security = security;
    }

    @Override
    public void afterPropertiesSet() {
        REALMS.put(realm, new AppConfigurationEntry[] {new AppConfigurationEntry(
                ApiKeyLoginModule.class.getName(), LoginModuleControlFlag.REQUIRED,
                Map.of(ApiKeyLoginModule.KEYS, keys, ApiKeyLoginModule.USERS, security.consoleUsers()))});
        install();
    }

    @Override
    public void destroy() {
        REALMS.remove(realm);
    }

    private static synchronized void install() {
        if (installed) {
            return;
        }
        Configuration previous = jvmConfiguration();
        Configuration.setConfiguration(new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                AppConfigurationEntry[] ours = REALMS.get(name);
                if (ours != null) {
                    return ours;
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
}
