package dev.attention4j.viz.explorer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's chromium in headless mode, driven over the Chrome DevTools Protocol on a {@link WebSocket}: one page,
 * navigation, script evaluation, screenshots, and the console errors and uncaught exceptions the page produced.
 *
 * <p>Started with {@code --remote-debugging-port=0}: chromium picks a free port and prints {@code DevTools listening
 * on ws://...} on stderr, which is read here; the page's socket comes from {@code /json/list}. Every wait has a
 * timeout, and {@link #close()} kills the browser and all its child processes and deletes the temporary profile, so
 * a broken browser fails a test instead of hanging the suite. When chromium is missing the constructor fails with a
 * message saying how to install it (tests never skip for lack of it).
 */
public final class HeadlessChromium implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

    private final Path profile;
    private final Process process;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<String, Object>>> pending = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final Map<String, CompletableFuture<Map<String, Object>>> awaited = new ConcurrentHashMap<>();

    public HeadlessChromium(int width, int height) throws IOException, InterruptedException {
        String executable = executable();
        profile = Files.createTempDirectory("attention4j-chromium-");
        process = new ProcessBuilder(executable, "--headless=new", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--no-sandbox", "--disable-gpu", "--no-first-run",
                // containers (CI) often give /dev/shm only 64 MB: chromium then writes its shared memory to /tmp
                "--disable-dev-shm-usage", "--no-default-browser-check", "--disable-extensions", "--hide-scrollbars",
                "--mute-audio",
                "--window-size=" + width + "," + height, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            String browserUrl = awaitDevToolsUrl();
            socket = connect(pageSocket(browserUrl));
            send("Runtime.enable", Map.of());
            send("Log.enable", Map.of());
            send("Page.enable", Map.of());
            send("Emulation.setDeviceMetricsOverride",
                    Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private static String executable() {
        String override = System.getenv("CHROMIUM");
        if (override != null && !override.isBlank()) {
            return override;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
        }
        throw new IllegalStateException("the explorer's browser tests need chromium and found none on PATH ("
                + System.getenv("PATH") + "); install it (Debian: sudo apt-get install chromium, or run "
                + "scripts/ensure-test-deps) or point the CHROMIUM environment variable at a Chrome binary");
    }

    private String awaitDevToolsUrl() throws InterruptedException {
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    stderr.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IllegalStateException("chromium closed stderr without a DevTools URL"));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        try {
            return url.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("chromium printed no 'DevTools listening on ws://...' within " + TIMEOUT
                    + " (alive: " + process.isAlive() + "); its stderr:\n" + String.join("\n", stderr), e);
        }
    }

    /** The first page target's socket, from the browser's {@code /json/list}. */
    @SuppressWarnings("unchecked")
    private static String pageSocket(String browserUrl) throws IOException, InterruptedException {
        URI ws = URI.create(browserUrl);
        HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ws.getHost() + ":" + ws.getPort()
                    + "/json/list")).timeout(TIMEOUT).build();
            String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            for (Object target : (List<Object>) Json.parse(body)) {
                Map<String, Object> t = (Map<String, Object>) target;
                if ("page".equals(t.get("type"))) {
                    return (String) t.get("webSocketDebuggerUrl");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("chromium lists no page target: " + body);
            }
            Thread.sleep(50);
        }
    }

    private WebSocket connect(String url) {
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder message = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                message.append(data);
                if (last) {
                    String text = message.toString();
                    message.setLength(0);
                    receive(text);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                pending.values().forEach(f -> f.completeExceptionally(error));
            }
        };
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create(url), listener).orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
    }

    @SuppressWarnings("unchecked")
    private void receive(String text) {
        Map<String, Object> message = (Map<String, Object>) Json.parse(text);
        Object id = message.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> f = pending.remove(((Double) id).intValue());
            if (f != null) {
                f.complete(message);
            }
            return;
        }
        String method = (String) message.get("method");
        Map<String, Object> params = (Map<String, Object>) message.getOrDefault("params", Map.of());
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                String type = (String) params.get("type");
                if (type.equals("error") || type.equals("assert") || type.equals("warning")) {
                    problems.add("console." + type + ": " + Json.write(params.get("args")));
                }
            }
            case "Runtime.exceptionThrown" -> problems.add("uncaught exception: "
                    + Json.write(params.get("exceptionDetails")));
            case "Log.entryAdded" -> {
                Map<String, Object> entry = (Map<String, Object>) params.get("entry");
                if ("error".equals(entry.get("level")) || "warning".equals(entry.get("level"))) {
                    problems.add("log " + entry.get("level") + ": " + entry.get("text") + " " + entry.get("url"));
                }
            }
            default -> {
            }
        }
        CompletableFuture<Map<String, Object>> waiter = awaited.remove(method);
        if (waiter != null) {
            waiter.complete(params);
        }
    }

    /** Sends one command and waits for its result; a protocol error becomes an {@link IllegalStateException}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> send(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(Json.write(Map.of("id", id, "method", method, "params", params)), true)
                .orTimeout(TIMEOUT.toSeconds(), TimeUnit.SECONDS).join();
        Map<String, Object> message;
        try {
            message = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            pending.remove(id);
            throw new IllegalStateException(method + ": no reply from chromium within " + TIMEOUT, e);
        }
        if (message.containsKey("error")) {
            throw new IllegalStateException(method + " failed: " + Json.write(message.get("error")));
        }
        return (Map<String, Object>) message.getOrDefault("result", Map.of());
    }

    /** Opens {@code file} and waits for its load event; forgets the problems of the page before. */
    public void open(Path file) {
        problems.clear();
        CompletableFuture<Map<String, Object>> loaded = new CompletableFuture<>();
        awaited.put("Page.loadEventFired", loaded);
        Map<String, Object> result = send("Page.navigate", Map.of("url", file.toUri().toString()));
        if (result.containsKey("errorText")) {
            throw new IllegalStateException("cannot open " + file + ": " + result.get("errorText"));
        }
        try {
            loaded.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(file + " did not finish loading within " + TIMEOUT, e);
        }
    }

    /** The value of a JavaScript expression (awaiting a promise), as JSON values; a thrown error fails. */
    @SuppressWarnings("unchecked")
    public Object eval(String expression) {
        Map<String, Object> result = send("Runtime.evaluate", Map.of("expression", expression,
                "returnByValue", true, "awaitPromise", true));
        if (result.containsKey("exceptionDetails")) {
            throw new IllegalStateException("'" + expression + "' threw: " + Json.write(result.get("exceptionDetails")));
        }
        return ((Map<String, Object>) result.get("result")).get("value");
    }

    public double number(String expression) {
        Object value = eval(expression);
        if (!(value instanceof Double d)) {
            throw new IllegalStateException("'" + expression + "' is not a number: " + value);
        }
        return d;
    }

    public String string(String expression) {
        return String.valueOf(eval(expression));
    }

    /** A PNG of the page's viewport. */
    @SuppressWarnings("unchecked")
    public byte[] screenshot() {
        Map<String, Object> result = send("Page.captureScreenshot", Map.of("format", "png"));
        return Base64.getDecoder().decode((String) result.get("data"));
    }

    /** Console errors and warnings, uncaught exceptions and error log entries since the last {@link #open}. */
    public List<String> problems() {
        return new ArrayList<>(problems);
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.abort();
        }
        if (process != null) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
        deleteQuietly(profile);
    }

    /** Deletes the temporary profile; chromium's last writes may race it, so a few tries. */
    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | java.io.UncheckedIOException ignored) {
                // retried below; a profile left in /tmp is harmless
            }
            if (Files.exists(dir)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
