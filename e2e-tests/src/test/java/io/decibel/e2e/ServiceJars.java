package io.decibel.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.decibel.stack.ServiceProcess;

import static io.decibel.e2e.ProjectFiles.projectHome;

/**
 * The services' jars as they were when a test first asked for them: tests that restart services for minutes must
 * not start a different jar, or a half-written one, because another terminal's {@code ./mvnw package} rebuilt it.
 */
final class ServiceJars {

	private static final Map<String, Path> COPIES = new HashMap<>();

	private ServiceJars() {
	}

	/** A copy of the module's jar, made once per JVM and deleted when it ends. */
	static Path copyOf(String service) {
		synchronized (COPIES) {
			return COPIES.computeIfAbsent(service, (name) -> {
				try {
					Path dir = Files.createTempDirectory("decibel-jars-");
					Path copy = Files.copy(ServiceProcess.jar(projectHome(), name), dir.resolve(name + ".jar"));
					copy.toFile().deleteOnExit();
					dir.toFile().deleteOnExit();
					return copy;
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

}
