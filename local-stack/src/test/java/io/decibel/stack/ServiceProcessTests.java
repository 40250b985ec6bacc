package io.decibel.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ServiceProcessTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@TempDir
	static Path folder;

	private static Path jar;

	@BeforeAll
	static void buildJar() throws Exception {
		jar = TestJars.runnable(folder.resolve("echo.jar"), EchoMain.class);
	}

	@Test
	void capturesTheMergedOutputWithTheAddedEnvironmentAndTheExitCode() {
		// given
		try (ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of("GREETING", "hello"),
				List.of("print", "3", "7"))) {

			// when
			int exitCode = echo.awaitExit(TIMEOUT);

			// then
			assertThat(exitCode).isEqualTo(7);
			assertThat(echo.isAlive()).isFalse();
			assertThat(echo.lines()).contains("line 1", "line 2", "line 3", "GREETING=hello", "PATH inherited=true",
					"an error line");
			assertThat(echo.countLines(Pattern.compile("^line \\d"))).isEqualTo(3);
			assertThat(echo.name()).isEqualTo("echo");
			assertThat(echo.pid()).isPositive();
		}
	}

	@Test
	void awaitsLinesAlreadyPrintedAndStillToCome() {
		// given
		try (ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("wait"))) {

			// when
			String future = echo.awaitLine(Pattern.compile("rea"), TIMEOUT);
			String past = echo.awaitLine(Pattern.compile("^ready$"), Duration.ZERO);

			// then
			assertThat(future).isEqualTo("ready");
			assertThat(past).isEqualTo("ready");
			assertThat(echo.isAlive()).isTrue();
		}
	}

	@Test
	void stopAsksTheProcessToShutDown() {
		// given
		ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("wait"));
		echo.awaitLine(Pattern.compile("ready"), TIMEOUT);

		// when
		echo.stop();

		// then its shutdown hook ran: SIGTERM, not SIGKILL
		assertThat(echo.isAlive()).isFalse();
		assertThat(echo.lines()).contains("stopping");
		assertThat(echo.awaitExit(Duration.ZERO)).isEqualTo(143);
	}

	@Test
	void killEndsTheProcessWithoutItsShutdown() {
		// given
		ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("wait"));
		echo.awaitLine(Pattern.compile("ready"), TIMEOUT);

		// when
		echo.kill();

		// then
		assertThat(echo.isAlive()).isFalse();
		assertThat(echo.lines()).doesNotContain("stopping");
		assertThat(echo.awaitExit(Duration.ZERO)).isEqualTo(137);
	}

	@Test
	@EnabledOnOs(OS.LINUX)
	void leavesCtrlCToItsOwner() throws IOException {
		// given
		try (ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("wait"))) {

			// when
			String ignored = echo.awaitLine(Pattern.compile("^SigIgn:"), TIMEOUT);

			// then the terminal's Ctrl-C does not stop it behind its owner's back: it leads a session of its own
			// (setsid), or, without setsid, it ignores SIGINT (2, bit 1)
			if (Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid"))) {
				assertThat(session(echo.pid())).isEqualTo(echo.pid());
			}
			else {
				long mask = Long.parseLong(ignored.substring("SigIgn:".length()).trim(), 16);
				assertThat(mask & (1L << 1)).isNotZero();
			}
		}
	}

	/** The session id of a process: the sixth field of /proc/pid/stat, after the command name in parentheses. */
	private static long session(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(fields[3]);
	}

	@Test
	void awaitLineFailsWithTheLastLinesWhenTheProcessEndsFirst() {
		// given
		try (ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("print", "50", "3"))) {

			// when / then
			assertThatIllegalStateException().isThrownBy(() -> echo.awaitLine(Pattern.compile("never"), TIMEOUT))
				.withMessageContaining("echo ended (exit code 3)")
				.withMessageContaining("line 50")
				.withMessageNotContaining("line 10" + System.lineSeparator());
		}
	}

	@Test
	void awaitLineFailsWhenTheTimeoutPasses() {
		// given
		try (ServiceProcess echo = ServiceProcess.start("echo", jar, Map.of(), List.of("wait"))) {
			echo.awaitLine(Pattern.compile("ready"), TIMEOUT);

			// when / then
			assertThatIllegalStateException()
				.isThrownBy(() -> echo.awaitLine(Pattern.compile("never"), Duration.ofMillis(200)))
				.withMessageContaining("printed no line matching 'never'")
				.withMessageContaining("ready");
		}
	}

	@Test
	void jarSaysHowToBuildAMissingJar(@TempDir Path home) {
		assertThatIllegalStateException().isThrownBy(() -> ServiceProcess.jar(home, "relay-service"))
			.withMessageContaining("relay-service.jar not found")
			.withMessageContaining("run ./mvnw package -DskipTests first");
	}

	@Test
	void jarFindsAModuleJar(@TempDir Path home) throws Exception {
		Path built = TestJars.runnable(home.resolve("relay-service/target/relay-service.jar"), EchoMain.class);

		assertThat(ServiceProcess.jar(home, "relay-service")).isEqualTo(built.toAbsolutePath());
	}

}
