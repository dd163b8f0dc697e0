package dev.attention4j.cli;

import dev.attention4j.kernels.Parallel;
import dev.attention4j.models.formats.FileFormatException;
import dev.attention4j.train.data.DataFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The {@code attention4j} command line. The only class of attention4j that calls {@link System#exit}; the commands
 * write to the picocli {@link CommandLine}'s writers, which tests replace.
 *
 * <p>Exit codes: 0 success, 1 a failed check or an error while running, 2 bad usage (unknown command, bad option).
 * Commands throw rather than print their errors; {@link #handle} turns what they throw into the message and the
 * exit code, the same way for every command.
 */
@Command(name = "attention4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The Transformer attention family in pure Java.",
        subcommands = {InfoCommand.class, DemoCommand.class, TrainCommand.class, TranslateCommand.class,
                EmbedCommand.class, SearchCommand.class, ExplainCommand.class, BenchCommand.class, CostCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT,
            description = "Threads for parallel kernels (default: the available processors). Results do not depend "
                    + "on it.")
    private Integer threads;

    private Main() {
    }

    public static void main(String[] args) {
        Charset charset = terminalCharset();
        CommandLine cli = commandLine()
                .setOut(writer(FileDescriptor.out, charset))
                .setErr(writer(FileDescriptor.err, charset));
        System.exit(cli.execute(args));
    }

    /** The command line with every subcommand; call {@code setOut}/{@code setErr}, then {@code execute}. */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new Main()));
    }

    /** As {@link #commandLine()}, but {@code translate} and {@code embed} read {@code stdin}, not {@link System#in}. */
    static CommandLine commandLine(Reader stdin) {
        CommandLine.IFactory defaults = CommandLine.defaultFactory();
        CommandLine cli = new CommandLine(new Main(), new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == TranslateCommand.class) {
                    return (K) new TranslateCommand(stdin);
                }
                return cls == EmbedCommand.class ? (K) new EmbedCommand(stdin) : defaults.create(cls);
            }
        });
        return configure(cli);
    }

    private static CommandLine configure(CommandLine cli) {
        return cli.setExecutionStrategy(Main::execute).setExecutionExceptionHandler(Main::handle);
    }

    /**
     * What a command threw, as one line on standard error and an exit code: a {@link UserError} or a malformed
     * training file ({@link DataFormatException}) is bad usage (2); any other I/O failure, including a malformed
     * weight or tokenizer file, is an error while running (1). Anything else is a bug and keeps picocli's stack trace.
     */
    private static int handle(Exception e, CommandLine cli, ParseResult parseResult) throws Exception {
        PrintWriter err = cli.getErr();
        int code;
        if (e instanceof UserError || e instanceof DataFormatException) {
            err.println("error: " + e.getMessage());
            code = 2;
        } else if (e instanceof IOException || e instanceof UncheckedIOException) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            // A format error names its file and offset itself; for the JDK's (NoSuchFileException: PATH ...) the
            // class name is part of what went wrong.
            err.println("error: " + (io instanceof FileFormatException ? io.getMessage() : io.toString()));
            code = 1;
        } else {
            throw e;
        }
        err.flush();
        return code;
    }

    /** Applies the global options, then runs the last subcommand given (or prints help, or the version). */
    private static int execute(ParseResult parseResult) {
        Integer threads = null;
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--threads")) {
                threads = pr.matchedOptionValue("--threads", null);
                if (threads < 1) {
                    throw new ParameterException(pr.commandSpec().commandLine(),
                            "--threads: expected a number >= 1 but got " + threads);
                }
            }
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    private static PrintWriter writer(FileDescriptor fd, Charset charset) {
        return new PrintWriter(new OutputStreamWriter(new FileOutputStream(fd), charset), true);
    }

    /**
     * The charset the terminal expects ({@code stdout.encoding}, JDK 19+), unless it cannot show the demo's Chinese
     * tokens (a C/POSIX locale), in which case UTF-8, which nearly every terminal shows.
     */
    static Charset terminalCharset() {
        String name = System.getProperty("stdout.encoding");
        try {
            Charset cs = name == null ? Charset.defaultCharset() : Charset.forName(name);
            return cs.newEncoder().canEncode("猫垫子") ? cs : StandardCharsets.UTF_8;
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** The version from the build (a filtered resource), with the JDK running it. */
    static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() throws IOException {
            Properties props = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    props.load(in);
                }
            }
            return new String[] {
                "attention4j " + props.getProperty("version", "(unknown version)"),
                "JDK " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")",
            };
        }
    }
}
