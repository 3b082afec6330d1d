package dev.conveyor.security;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import dev.conveyor.config.SecurityProperties;
import io.hawt.web.auth.RolePrincipal;
import io.hawt.web.auth.UserPrincipal;

/**
 * Logs in to Hawtio with an operator or admin API key as the password (any user name), or as a console user
 * of conveyor.security.console-users. A reader or submitter key is refused: the console can stop routes.
 */
public class ApiKeyLoginModule implements LoginModule {

    static final String REALM = "realm";

    private Subject subject;
    private CallbackHandler callbacks;
    private String realm;
    private String user;
    private Role role;

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
                           Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
        this.realm = (String) options.get(REALM);
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("key", false);
        try {
            callbacks.handle(new Callback[] {name, password});
        } catch (Exception e) {
            throw new LoginException("cannot read the credentials: " + e.getMessage());
        }
        String secret = password.getPassword() == null ? "" : new String(password.getPassword());
        password.clearPassword();
        HawtioLogin.Backing backing = HawtioLogin.backing(realm);
        if (backing == null) {
            throw new FailedLoginException("the service is still starting; try again in a moment");
        }
        Optional<Caller> caller = backing.keys().authenticate(secret);
        if (caller.isPresent() && caller.get().may(Role.OPERATOR)) {
            user = caller.get().name() + " (" + caller.get().keyId() + ")";
            role = caller.get().role();
            return true;
        }
        Optional<SecurityProperties.ConsoleUser> console = backing.users().stream()
                .filter(u -> u.name() != null && u.name().equals(name.getName()) && matches(u, secret))
                .findFirst();
        if (console.isPresent()) {
            user = console.get().name();
            role = Role.parse(console.get().role()).filter(r -> r.includes(Role.OPERATOR)).orElse(null);
            if (role != null) {
                return true;
            }
        }
        throw new FailedLoginException("log in with an operator or admin API key as the password");
    }

    private static boolean matches(SecurityProperties.ConsoleUser user, String password) {
        if (user.passwordSha256() == null || user.passwordSha256().isBlank()) {
            return false;
        }
        byte[] expected;
        try {
            expected = HexFormat.of().parseHex(user.passwordSha256().trim().toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException notHex) {
            return false;
        }
        byte[] actual = ApiKeys.hash(password);
        return MessageDigest.isEqual(expected, actual);
    }

    @Override
    public boolean commit() {
        if (role == null) {
            return false;
        }
        subject.getPrincipals().add(new UserPrincipal(user));
        subject.getPrincipals().add(new RolePrincipal(role.wireName()));
        return true;
    }

    @Override
    public boolean abort() {
        role = null;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeIf(p -> p instanceof UserPrincipal || p instanceof RolePrincipal);
        return true;
    }

}
