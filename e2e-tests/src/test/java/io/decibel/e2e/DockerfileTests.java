package io.decibel.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static io.decibel.e2e.ProjectFiles.projectHome;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code Dockerfile}'s first build stage runs Maven on the root POM with only the POMs copied in: Maven then
 * needs the POM of every module the root POM lists, or the image does not build ({@code Child module … does not
 * exist}). Its second step builds one service with {@code -pl <service> -am}, from the sources of the modules that
 * service builds on, and nothing else. No Docker engine needed: the files are compared.
 */
class DockerfileTests {

	static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

	/** A dependency on a module of the project at compile scope: group and artifact only, the version managed. */
	static final Pattern PROJECT_DEPENDENCY = Pattern.compile(
			"<dependency>\\s*<groupId>io\\.decibel</groupId>\\s*<artifactId>([^<\\s]+)</artifactId>\\s*</dependency>");

	static final List<String> SERVICES = List.of("publisher-service", "subscriber-service", "relay-service");

	@Test
	void copiesThePomOfEveryModuleOfTheRootPom() throws IOException {
		// given
		Path home = projectHome();
		List<String> modules = modules(Files.readString(home.resolve("pom.xml")));

		// when
		List<String> missing = modulesWithoutPomCopy(modules, Files.readString(home.resolve("Dockerfile")));

		// then
		assertThat(modules).contains("relay-service", "publisher-service", "subscriber-service");
		assertThat(missing).as("modules of pom.xml whose POM the Dockerfile does not copy").isEmpty();
	}

	@Test
	void noticesAModuleWhosePomIsNotCopied() throws IOException {
		// given
		Path home = projectHome();
		List<String> modules = modules(Files.readString(home.resolve("pom.xml")));
		String dockerfile = Files.readString(home.resolve("Dockerfile"))
			.replaceAll("(?m)^COPY bench/pom\\.xml bench/\\n", "");

		// when
		List<String> missing = modulesWithoutPomCopy(modules, dockerfile);

		// then
		assertThat(missing).containsExactly("bench");
	}

	@Test
	void copiesTheSourcesOfEveryModuleAServiceBuildsOnAndNoTestSupport() throws IOException {
		// given
		Path home = projectHome();
		String dockerfile = Files.readString(home.resolve("Dockerfile"));
		for (String service : SERVICES) {
			// when
			List<String> buildsOn = projectDependencies(Files.readString(home.resolve(service).resolve("pom.xml")));

			// then
			assertThat(buildsOn).as("the modules %s builds on", service)
				.contains("telemetry-contract", "mqtt-support")
				.doesNotContain("test-support", "local-stack");
			assertThat(modulesWithoutSourceCopy(buildsOn, dockerfile))
				.as("modules %s builds on whose sources the Dockerfile does not copy", service)
				.isEmpty();
		}
		assertThat(modulesWithoutSourceCopy(List.of("test-support", "local-stack"), dockerfile))
			.as("test modules stay out of the image's build")
			.containsExactly("test-support", "local-stack");
	}

	@Test
	void noticesAModuleWhoseSourcesAreNotCopied() throws IOException {
		// given
		String dockerfile = Files.readString(projectHome().resolve("Dockerfile"))
			.replaceAll("(?m)^COPY mqtt-support/src/ mqtt-support/src/\\n", "");

		// when
		List<String> missing = modulesWithoutSourceCopy(List.of("telemetry-contract", "mqtt-support"), dockerfile);

		// then
		assertThat(missing).containsExactly("mqtt-support");
	}

	/** The project's modules a POM depends on at compile scope, outside its profiles (the tests' is one). */
	static List<String> projectDependencies(String pom) {
		List<String> modules = new ArrayList<>();
		Matcher matcher = PROJECT_DEPENDENCY.matcher(pom.replaceAll("(?s)<profiles>.*</profiles>", ""));
		while (matcher.find()) {
			modules.add(matcher.group(1));
		}
		return modules;
	}

	static List<String> modulesWithoutSourceCopy(List<String> modules, String dockerfile) {
		return modules.stream()
			.filter((module) -> !Pattern
				.compile("(?m)^COPY\\s+" + Pattern.quote(module) + "/src/\\s+" + Pattern.quote(module) + "/src/\\s*$")
				.matcher(dockerfile)
				.find())
			.toList();
	}

	static List<String> modules(String pom) {
		List<String> modules = new ArrayList<>();
		Matcher matcher = MODULE.matcher(pom);
		while (matcher.find()) {
			modules.add(matcher.group(1));
		}
		return modules;
	}

	static List<String> modulesWithoutPomCopy(List<String> modules, String dockerfile) {
		return modules.stream()
			.filter((module) -> !Pattern
				.compile("(?m)^COPY\\s+" + Pattern.quote(module) + "/pom\\.xml\\s+" + Pattern.quote(module) + "/\\s*$")
				.matcher(dockerfile)
				.find())
			.toList();
	}

}
