package io.decibel.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A service jar running as a child JVM, {@code java -jar <jar> <args>}, with its output (stdout and stderr merged)
 * kept line by line for assertions and echoed to this JVM's {@code System.out} behind the service's name.
 * <p>
 * Children still running when this JVM shuts down are stopped, the last started first and before the embedded
 * database and broker ({@link StopOnExit}), so that a test or a launcher that dies early leaves no service behind
 * holding ports.
 */
public final class ServiceProcess implements AutoCloseable {

	/** Wide enough for {@code publisher-service}, so the echoed lines of the services line up. */
	private static final int NAME_WIDTH = 17;

	private static final int TAIL_LINES = 40;

	private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

	/**
	 * Ctrl-C in a terminal signals the whole foreground process group, children included: they would all stop at
	 * once, in no order, while their owner stops them one by one, and the relay would lose its database while it
	 * shuts down. So the child runs in a session of its own ({@code setsid}, which execs java: the pid stays java's,
	 * a child of a JVM is never a group leader), out of reach of the terminal's Ctrl-C, Ctrl-\ and hang-up. Where
	 * there is no setsid, the child starts with SIGINT ignored (the shell execs java; the JVM keeps a signal ignored
	 * that it inherits ignored). SIGTERM and SIGKILL, from {@link #stop()} and {@link #kill()}, reach it either way.
	 */
	private static final List<String> OUT_OF_THE_TERMINAL = outOfTheTerminal();

	private final String name;

	private final Process process;

	private final String prefix;

	/** Guarded by itself; waiters of {@link #awaitLine} are notified on each line and at the end of the output. */
	private final List<String> lines = new ArrayList<>();

	private boolean outputEnded;

	private final Thread reader;

	private ServiceProcess(String name, Process process) {
		this.name = name;
		this.process = process;
		this.prefix = "[" + String.format("%-" + NAME_WIDTH + "s", name) + "] ";
		this.reader = new Thread(this::readOutput, name + "-output");
		this.reader.setDaemon(true);
	}

	/**
	 * Starts {@code java -jar <jar> <args>} with the java binary of this JVM, and the given variables added to this
	 * JVM's environment.
	 */
	public static ServiceProcess start(String name, Path jar, Map<String, String> environment, List<String> args) {
		if (!Files.isRegularFile(jar)) {
			throw new IllegalArgumentException("Jar of " + name + " not found: " + jar.toAbsolutePath());
		}
		return launch(name, List.of("-jar", jar.toAbsolutePath().toString()), environment, args);
	}

	/**
	 * Starts {@code java -cp <this JVM's class path> <mainClass> <args>}: a service from the classes of the module
	 * whose tests run, before its jar is built.
	 */
	public static ServiceProcess startMain(String name, String mainClass, Map<String, String> environment,
			List<String> args) {
		return launch(name, List.of("-cp", System.getProperty("java.class.path"), mainClass), environment, args);
	}

	private static ServiceProcess launch(String name, List<String> what, Map<String, String> environment,
			List<String> args) {
		List<String> command = new ArrayList<>(OUT_OF_THE_TERMINAL);
		command.add(javaBinary());
		command.addAll(what);
		command.addAll(args);
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().putAll(environment);
		Process process;
		try {
			process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + name + ": " + command, ex);
		}
		ServiceProcess service = new ServiceProcess(name, process);
		try {
			StopOnExit.service(service);
		}
		catch (IllegalStateException ex) {
			// started while this JVM shuts down: it would be left behind
			process.toHandle().destroyForcibly();
			throw ex;
		}
		service.reader.start();
		return service;
	}

	private static List<String> outOfTheTerminal() {
		for (String setsid : List.of("/usr/bin/setsid", "/bin/setsid")) {
			if (Files.isExecutable(Path.of(setsid))) {
				return List.of(setsid);
			}
		}
		return Files.isExecutable(Path.of("/bin/sh")) ? List.of("/bin/sh", "-c", "trap '' INT; exec \"$0\" \"$@\"")
				: List.of();
	}

	/**
	 * The jar a module builds, {@code <projectHome>/<module>/target/<module>.jar}.
	 * @throws IllegalStateException when it has not been built
	 */
	public static Path jar(Path projectHome, String module) {
		Path jar = projectHome.resolve(module).resolve("target").resolve(module + ".jar").toAbsolutePath().normalize();
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " not found: run ./mvnw package -DskipTests first");
		}
		return jar;
	}

	public String name() {
		return this.name;
	}

	public long pid() {
		return this.process.pid();
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** Every line of output so far, stdout and stderr merged, without the name prefix. */
	public List<String> lines() {
		synchronized (this.lines) {
			return List.copyOf(this.lines);
		}
	}

	/** How many lines so far contain a match of the pattern. */
	public long countLines(Pattern pattern) {
		return lines().stream().filter((line) -> pattern.matcher(line).find()).count();
	}

	/**
	 * The first line, already printed or still to come, that contains a match of the pattern.
	 * @throws IllegalStateException with the last lines of output when the timeout passes or the output ends (the
	 * process died) first
	 */
	public String awaitLine(Pattern pattern, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		int next = 0;
		synchronized (this.lines) {
			while (true) {
				for (; next < this.lines.size(); next++) {
					String line = this.lines.get(next);
					if (pattern.matcher(line).find()) {
						return line;
					}
				}
				if (this.outputEnded) {
					throw new IllegalStateException(this.name + " ended (exit code " + exitCodeOrUnknown()
							+ ") before printing a line matching '" + pattern + "'" + tail());
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw new IllegalStateException(this.name + " printed no line matching '" + pattern
							+ "' within " + timeout + tail());
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.lines, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("Interrupted while waiting for " + this.name, ex);
				}
			}
		}
	}

	/**
	 * Waits for the process to end, and for its last lines to be read.
	 * @return its exit code
	 * @throws IllegalStateException when it is still running after the timeout
	 */
	public int awaitExit(Duration timeout) {
		try {
			if (!this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException(this.name + " still running after " + timeout + tail());
			}
			this.reader.join(Duration.ofSeconds(5).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while waiting for " + this.name + " to end", ex);
		}
		StopOnExit.forget(this);
		return this.process.exitValue();
	}

	/** Asks the service to shut down (SIGTERM) and waits for it; kills it when it takes longer than 30 seconds. */
	public void stop() {
		end(false);
	}

	/** Kills the service at once (SIGKILL), as a crash or a power cut would. */
	public void kill() {
		end(true);
	}

	@Override
	public void close() {
		stop();
	}

	@Override
	public String toString() {
		return this.name + " (pid " + pid() + ")";
	}

	private synchronized void end(boolean forcibly) {
		try {
			// through the ProcessHandle: Process.destroy() also closes the output, losing what the service says
			// while it shuts down
			ProcessHandle handle = this.process.toHandle();
			if (this.process.isAlive()) {
				if (forcibly) {
					handle.destroyForcibly();
				}
				else {
					handle.destroy();
					if (!this.process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
						System.out.println(this.prefix + "did not stop within " + STOP_TIMEOUT + ", killing it");
						handle.destroyForcibly();
					}
				}
				this.process.waitFor();
			}
			this.reader.join(Duration.ofSeconds(5).toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.toHandle().destroyForcibly();
		}
		finally {
			StopOnExit.forget(this);
		}
	}

	private void readOutput() {
		try (BufferedReader output = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), Charset.defaultCharset()))) {
			String line;
			while ((line = output.readLine()) != null) {
				System.out.println(this.prefix + line);
				synchronized (this.lines) {
					this.lines.add(line);
					this.lines.notifyAll();
				}
			}
		}
		catch (IOException ex) {
			// the stream closes under us when the process is killed: the output has ended either way
		}
		finally {
			synchronized (this.lines) {
				this.outputEnded = true;
				this.lines.notifyAll();
			}
		}
	}

	private String exitCodeOrUnknown() {
		try {
			// the output ends a moment before the process is gone
			this.process.waitFor(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return this.process.isAlive() ? "unknown, still running" : String.valueOf(this.process.exitValue());
	}

	/** The last lines of output, for the message of a failure. Callers may hold the lock of {@code lines}. */
	private String tail() {
		List<String> all = lines();
		List<String> last = all.subList(Math.max(0, all.size() - TAIL_LINES), all.size());
		return last.isEmpty() ? "; it printed nothing"
				: "; its last " + last.size() + " lines:" + System.lineSeparator()
						+ String.join(System.lineSeparator(), last);
	}

	private static String javaBinary() {
		return ProcessHandle.current()
			.info()
			.command()
			.orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
	}

	/** Stops the processes the last started first: a service goes before what it depends on. */
	public static void stopInReverse(List<ServiceProcess> processes) {
		for (int i = processes.size() - 1; i >= 0; i--) {
			processes.get(i).stop();
		}
	}

}
