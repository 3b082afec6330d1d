package dev.conveyor.telemetry;

import java.util.Map;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import io.hawt.web.auth.RolePrincipal;
import io.hawt.web.auth.UserPrincipal;

/**
 * A JAAS login module that knows one user, given by its options {@code user}, {@code password} and {@code role}:
 * the stand-in for the directory a production realm would ask, so a test can log in to Hawtio.
 */
public class OneUserLoginModule implements LoginModule {

    private Subject subject;
    private CallbackHandler callbacks;
    private Map<String, ?> options;
    private boolean succeeded;

    @Override
    public void initialize(Subject subject, CallbackHandler callbackHandler, Map<String, ?> sharedState,
                           Map<String, ?> options) {
        this.subject = subject;
        this.callbacks = callbackHandler;
        this.options = options;
    }

    @Override
    public boolean login() throws LoginException {
        NameCallback name = new NameCallback("user");
        PasswordCallback password = new PasswordCallback("password", false);
        try {
            callbacks.handle(new Callback[] {name, password});
        } catch (Exception e) {
            throw new LoginException("cannot read the credentials: " + e);
        }
        succeeded = options.get("user").equals(name.getName()) && password.getPassword() != null
                && options.get("password").equals(new String(password.getPassword()));
        if (!succeeded) {
            throw new FailedLoginException("wrong user or password");
        }
        return true;
    }

    @Override
    public boolean commit() {
        if (succeeded) {
            subject.getPrincipals().add(new UserPrincipal((String) options.get("user")));
            subject.getPrincipals().add(new RolePrincipal((String) options.get("role")));
        }
        return succeeded;
    }

    @Override
    public boolean abort() {
        succeeded = false;
        return true;
    }

    @Override
    public boolean logout() {
        subject.getPrincipals().removeIf(p -> p instanceof UserPrincipal || p instanceof RolePrincipal);
        return true;
    }
}
