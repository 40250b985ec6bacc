package io.decibel.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * The README's one-command run, the built {@code local-stack-exec.jar}, stopped the two ways a person stops it: Ctrl-C
 * in its terminal (SIGINT to its whole process group) and SIGTERM to the launcher alone. Either way it ends, leaves no
 * process behind, and nothing it or a service printed, from start to end, is a warning, an error or a stack trace.
 * <p>
 * Each case starts the whole stack, four Spring Boot JVMs one after the other: about two minutes on two busy cores, too
 * long for the README's {@code ./mvnw verify}. It runs when {@code DECIBEL_TEST_LOCAL_STACK=true}, as in CI.
 */
@Tag("faults")
@EnabledOnOs(OS.LINUX)
@EnabledIfEnvironmentVariable(named = "DECIBEL_TEST_LOCAL_STACK", matches = "true")
class LocalStackStopTests {

	/** Generous: stopping takes about 10 s (four services one after the other, then the database and the broker). */
	private static final Duration STOP_BOUND = Duration.ofMinutes(2);

	private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

	/** The third reading acknowledged: every service is up and readings go round. */
	private static final Pattern ACKED = Pattern.compile("^\\[publisher-service\\] .*ACK seq=2 status=STORED");

	private static final Pattern NOISE = Pattern.compile(" WARN | ERROR |Exception|\tat ");

	private final List<String> output = new CopyOnWriteArrayList<>();

	private Process stack;

	@BeforeEach
	void startTheStack() throws IOException {
		assumeThat(Files.isExecutable(Path.of("/usr/bin/setsid"))).as("setsid (util-linux)").isTrue();
		Path jar = projectHome().resolve("local-stack/target/local-stack-exec.jar");
		assertThat(jar).as("built by ./mvnw package").isRegularFile();
		// setsid: a process group of its own, as a terminal gives a command; env: SIGINT as a terminal leaves it, even
		// when these tests run with it ignored (a background job of a shell ignores it, and a child inherits that)
		this.stack = new ProcessBuilder("env", "--default-signal=INT", "setsid",
				Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-Ddecibel.home=" + projectHome(), "-jar", jar.toString(), "--source=synthetic")
			.redirectErrorStream(true)
			.start();
		Thread reader = new Thread(this::readOutput, "local-stack-output");
		reader.setDaemon(true);
		reader.start();
		await().atMost(START_TIMEOUT)
			.pollInterval(Duration.ofMillis(200))
			.until(() -> readingsGoRound() || !this.stack.isAlive());
		assertThat(readingsGoRound()).as("readings acknowledged; the stack said:%n%s", String.join("\n", this.output))
			.isTrue();
		assertThat(processGroup(this.stack.pid())).as("the stack leads its process group").isEqualTo(this.stack.pid());
	}

	@AfterEach
	void stopWhatRemains() {
		if (this.stack != null) {
			this.stack.descendants().forEach(ProcessHandle::destroyForcibly);
			this.stack.destroyForcibly();
		}
	}

	@Test
	void ctrlCInItsTerminalStopsEverythingQuietly() throws Exception {
		// given
		List<ProcessHandle> children = this.stack.descendants().toList();

		// when Ctrl-C: SIGINT to every process of the terminal's foreground group
		signal("-INT", "-" + this.stack.pid());

		// then
		assertStoppedQuietly(children, 130);
	}

	@Test
	void sigtermToTheLauncherStopsEverythingQuietly() throws Exception {
		// given
		List<ProcessHandle> children = this.stack.descendants().toList();

		// when
		signal("-TERM", String.valueOf(this.stack.pid()));

		// then
		assertStoppedQuietly(children, 143);
	}

	private void assertStoppedQuietly(List<ProcessHandle> children, int exitCode) throws InterruptedException {
		assertThat(this.stack.waitFor(STOP_BOUND.toSeconds(), TimeUnit.SECONDS)).as("stopped within " + STOP_BOUND)
			.isTrue();
		assertThat(this.stack.exitValue()).isEqualTo(exitCode);
		assertThat(children).as("the broker's and the database's processes and the services").hasSizeGreaterThan(4);
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(children).noneMatch(ProcessHandle::isAlive));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.output.contains("[local-stack      ] Stopped"));
		assertThat(this.output).noneMatch((line) -> NOISE.matcher(line).find());
	}

	private boolean readingsGoRound() {
		return this.output.stream().anyMatch((line) -> ACKED.matcher(line).find());
	}

	private static void signal(String signal, String target) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", signal, "--", target).inheritIO().start();
		assertThat(kill.waitFor()).isZero();
	}

	/** The process group of a process: the fifth field of /proc/pid/stat, after the command name in parentheses. */
	private static long processGroup(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
	}

	private void readOutput() {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.stack.getInputStream(), Charset.defaultCharset()))) {
			String line;
			while ((line = lines.readLine()) != null) {
				System.out.println(line);
				this.output.add(line);
			}
		}
		catch (IOException ex) {
			// the stream closes when the process ends
		}
	}

}
