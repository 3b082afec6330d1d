package dev.conveyor.support;

/**
 * The admin key every test service starts with (CONVEYOR_ADMIN_KEY), so a test calls the API as a user's script
 * would, with a key. Security tests make narrower keys of their own through POST /admin/api-keys.
 */
public final class TestKeys {

    public static final String ADMIN = "cvk_test-suite-admin-key-0123456789abcdef";

    private TestKeys() {
    }
}
