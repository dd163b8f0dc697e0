package dev.attention4j.cli;

/**
 * Something the user can fix (a flag, a file, a directory) stops a command: the command prints {@code error: } and
 * the message, without a stack trace, and exits with 2. Programming errors stay unchecked exceptions.
 */
final class UserError extends Exception {

    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }

    UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
