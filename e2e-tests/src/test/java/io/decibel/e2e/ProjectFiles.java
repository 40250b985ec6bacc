package io.decibel.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.decibel.stack.ServiceProcess;

/** Where the built jars and the compose file are, and what the services said. */
final class ProjectFiles {

	private ProjectFiles() {
	}

	/** The project's home: the tests run in e2e-tests/, the jars and the compose file are one level up. */
	static Path projectHome() {
		Path here = Path.of("").toAbsolutePath();
		return Files.exists(here.resolve("docker-compose.yml")) ? here : here.getParent();
	}

	/** The seqs (group 1 of the pattern) of the lines a service printed that match. */
	static Set<Long> seqs(ServiceProcess process, Pattern pattern) {
		Set<Long> seqs = new TreeSet<>();
		for (String line : process.lines()) {
			Matcher matcher = pattern.matcher(line);
			if (matcher.find()) {
				seqs.add(Long.parseLong(matcher.group(1)));
			}
		}
		return seqs;
	}

}
