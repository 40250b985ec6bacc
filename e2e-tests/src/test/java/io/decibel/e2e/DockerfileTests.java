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
 * exist}). No Docker engine needed: the files are compared.
 */
class DockerfileTests {

	static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");

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
