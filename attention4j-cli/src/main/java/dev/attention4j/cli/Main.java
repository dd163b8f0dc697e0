package dev.attention4j.cli;

import dev.attention4j.kernels.Parallel;
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
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The {@code attention4j} command line. The only class of attention4j that calls {@link System#exit}; the commands
 * write to the picocli {@link CommandLine}'s writers, which tests replace.
 *
 * <p>Exit codes: 0 success, 1 a failed check or an error while running, 2 bad usage (unknown command, bad option).
 */
@Command(name = "attention4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "The Transformer attention family in pure Java.",
        subcommands = {InfoCommand.class, DemoCommand.class, TrainCommand.class, TranslateCommand.class,
                EmbedCommand.class, SearchCommand.class, BenchCommand.class, CostCommand.class, CommandLine.HelpCommand.class})
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
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionStrategy(Main::execute);
        return cli;
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
        cli.setExecutionStrategy(Main::execute);
        return cli;
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
