package io.decibel.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority for tests, made with the {@code openssl} command: a CA, a server certificate for
 * {@code 127.0.0.1} and {@code localhost} signed by it, and a client certificate signed by it. PEM files, as a broker
 * and a Spring Boot PEM SSL bundle take them. Nothing here is fit for anything but a test.
 *
 * @param caCertificate the CA's certificate: what a client trusts
 * @param serverCertificate the broker's certificate
 * @param serverKey the broker's private key
 * @param clientCertificate a client's certificate, for brokers that require one
 * @param clientKey that client's private key
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey, Path clientCertificate,
		Path clientKey) {

	public static boolean opensslInstalled() {
		return Executables.find("openssl") != null;
	}

	/** Generates a new CA and the two certificates it signs into {@code dir}. */
	public static TestCertificates generate(Path dir) {
		try {
			Files.createDirectories(dir);
			Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
					+ "extendedKeyUsage=serverAuth\n");
			Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Decibel test CA",
				"-keyout", "ca.key", "-out", "ca.crt");
		for (String name : List.of("server", "client")) {
			String subject = name.equals("server") ? "/CN=localhost" : "/CN=decibel-test-client";
			openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key", "-out",
					name + ".csr");
			openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
					"-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
		}
		return new TestCertificates(dir.resolve("ca.crt"), dir.resolve("server.crt"), dir.resolve("server.key"),
				dir.resolve("client.crt"), dir.resolve("client.key"));
	}

	private static void openssl(Path dir, String... args) {
		String openssl = Executables.find("openssl");
		if (openssl == null) {
			throw new IllegalStateException("openssl is not installed");
		}
		List<String> command = new ArrayList<>();
		command.add(openssl);
		command.addAll(List.of(args));
		Executables.run(dir, command, 30, TimeUnit.SECONDS);
	}

}
