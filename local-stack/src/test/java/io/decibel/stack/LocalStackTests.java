package io.decibel.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The launcher with stand-in service jars ({@link FakeService}) on the real embedded broker and database: which
 * services it starts, in which order, with which configuration, and how it ends.
 */
class LocalStackTests {

	private static final List<String> MODULES = List.of("relay-service", "subscriber-service", "publisher-service");

	@Test
	void startsTheRelayThenTheSubscribersThenThePublisherAndStopsWhenItHasPublished(@TempDir Path home)
			throws Exception {
		// given
		for (String module : MODULES) {
			TestJars.runnable(home.resolve(module + "/target/" + module + ".jar"), FakeService.class);
		}
		LocalStack stack = new LocalStack(
				LocalStackOptions.parse("--count=3", "--subscribers=2", "--source=synthetic", "--exit-when-published"),
				home);

		// when
		int status = stack.run();

		// then the publisher's exit code is the launcher's
		assertThat(status).isEqualTo(3);
		List<ServiceProcess> services = stack.services();
		assertThat(services).extracting(ServiceProcess::name)
			.containsExactly("relay-service", "subscriber-1", "subscriber-2", "publisher-service");
		assertThat(services).noneMatch(ServiceProcess::isAlive);
		ServiceProcess relay = services.get(0);
		assertThat(relay.countLines(Pattern.compile("^DECIBEL_MQTT_URL=tcp://127\\.0\\.0\\.1:\\d+$"))).isOne();
		assertThat(relay.countLines(Pattern.compile(
				"^SPRING_DATASOURCE_URL=jdbc:mariadb://127\\.0\\.0\\.1:\\d+/decibel\\?createDatabaseIfNotExist=true$")))
			.isOne();
		assertThat(relay.lines()).contains("SPRING_DATASOURCE_USERNAME=root", "SPRING_DATASOURCE_PASSWORD=");
		assertThat(services).allMatch((service) -> service.countLines(Pattern.compile("^SERVER_PORT=\\d+$")) == 1)
			.extracting((service) -> service.awaitLine(Pattern.compile("^SERVER_PORT="), Duration.ZERO))
			.doesNotHaveDuplicates();
		ServiceProcess publisher = services.get(3);
		assertThat(publisher.lines()).contains("DECIBEL_PUBLISHER_COUNT=3", "DECIBEL_PUBLISHER_SOURCE=synthetic");
		String stateDir = publisher.awaitLine(Pattern.compile("^DECIBEL_PUBLISHER_STATE_DIR="), Duration.ZERO)
			.substring("DECIBEL_PUBLISHER_STATE_DIR=".length());
		assertThat(Path.of(stateDir).getParent()).as("the stack's data folder, removed at the end").doesNotExist();
	}

	@Test
	void givesUpAndCleansUpWhenTheRelayDiesBeforeItIsReady(@TempDir Path home) throws Exception {
		// given a relay that fails at once (EchoMain without arguments)
		TestJars.runnable(home.resolve("relay-service/target/relay-service.jar"), EchoMain.class);
		for (String module : MODULES.subList(1, 3)) {
			TestJars.runnable(home.resolve(module + "/target/" + module + ".jar"), FakeService.class);
		}
		LocalStack stack = new LocalStack(LocalStackOptions.parse("--count=3"), home);

		// when / then
		assertThatIllegalStateException().isThrownBy(stack::run)
			.withMessageContaining("relay-service did not start: relay-service ended (exit code 1)");
		stack.stop();
		assertThat(stack.services()).extracting(ServiceProcess::name).containsExactly("relay-service");
	}

	@Test
	void refusesToStartWithoutTheServiceJars(@TempDir Path home) {
		LocalStack stack = new LocalStack(LocalStackOptions.parse(), home);

		assertThatIllegalStateException().isThrownBy(stack::run)
			.withMessageContaining("run ./mvnw package -DskipTests first");
		assertThat(Files.exists(home.resolve("relay-service"))).isFalse();
	}

}
