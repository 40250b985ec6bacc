package io.decibel.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Builds runnable jars out of this module's test classes, for tests of what runs jars. */
final class TestJars {

	private TestJars() {
	}

	/** A jar at {@code path} that runs {@code main}, a class with no nested classes. */
	static Path runnable(Path path, Class<?> main) throws IOException {
		Files.createDirectories(path.getParent());
		Manifest manifest = new Manifest();
		manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
		manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, main.getName());
		String entry = main.getName().replace('.', '/') + ".class";
		try (OutputStream file = Files.newOutputStream(path);
				JarOutputStream jar = new JarOutputStream(file, manifest);
				InputStream bytes = main.getClassLoader().getResourceAsStream(entry)) {
			jar.putNextEntry(new JarEntry(entry));
			bytes.transferTo(jar);
			jar.closeEntry();
		}
		return path;
	}

}
