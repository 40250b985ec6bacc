package io.decibel.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Programs of this machine that tests run: found on the PATH or in the system folders, run to completion. */
final class Executables {

	private Executables() {
	}

	/** The path of the program, or {@code null} when it is not installed. */
	static String find(String name) {
		String path = System.getenv("PATH");
		List<String> folders = new ArrayList<>(
				(path != null) ? List.of(path.split(File.pathSeparator)) : List.of());
		// Debian puts mosquitto in /usr/sbin, which is not on every user's PATH
		folders.addAll(List.of("/usr/sbin", "/usr/local/sbin", "/usr/bin"));
		for (String folder : folders) {
			Path candidate = Path.of(folder, name);
			if (Files.isExecutable(candidate)) {
				return candidate.toString();
			}
		}
		return null;
	}

	/**
	 * Runs the command in {@code dir} and returns its output; fails with that output when it does not exit with 0 in
	 * time.
	 */
	static String run(Path dir, List<String> command, long timeout, TimeUnit unit) {
		try {
			Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
			process.getOutputStream().close();
			if (!process.waitFor(timeout, unit)) {
				process.destroyForcibly();
				throw new IllegalStateException(command + " did not finish within " + timeout + " " + unit);
			}
			String output = new String(process.getInputStream().readAllBytes(), Charset.defaultCharset());
			if (process.exitValue() != 0) {
				throw new IllegalStateException(command + " failed with " + process.exitValue() + ": " + output);
			}
			return output;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not run " + command, ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while running " + command, ex);
		}
	}

}
