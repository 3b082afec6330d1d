package dev.conveyor.ui;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * GET /ui/login: the form asking for an API key. Spring Security takes its POST (SecurityConfig's dashboard
 * chain), so the key goes in a request body over the session's CSRF token, never into a URL.
 */
@Controller
class LoginPage {

    @GetMapping("/ui/login")
    String login(@RequestParam(required = false) String error, @RequestParam(required = false) String logout,
                 Model model) {
        model.addAttribute("failed", error != null);
        model.addAttribute("loggedOut", logout != null);
        return "ui/login";
    }
}
