package dev.conveyor.queue;

import java.util.List;

/** A pause or resume named a lane or job type that does not exist; {@link #known()} says which do. */
public class UnknownQueueException extends RuntimeException {

    private final Pause.Kind kind;
    private final String name;
    private final List<String> known;

    public UnknownQueueException(Pause.Kind kind, String name, List<String> known) {
        super("no " + kind.wireName() + " named '" + name + "'; the " + kind.wireName() + "s are: "
                + String.join(", ", known));
        this.kind = kind;
        this.name = name;
        this.known = List.copyOf(known);
    }

    public Pause.Kind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public List<String> known() {
        return known;
    }
}
