package io.decibel.relay.database;

import java.sql.DatabaseMetaData;
import java.time.Instant;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.Session;

import org.springframework.beans.factory.InitializingBean;

/**
 * Refuses to start with a driver and server that would corrupt the readings' timestamps, before the first reading is
 * taken: an instant bound and read back as Hibernate binds and reads the readings' must keep its microseconds.
 * Otherwise a row would say {@code 09.000000} where the ACK said {@code 09.52…}, and a reading sent again would no
 * longer compare equal to the one stored: a dialect set by hand ({@code spring.jpa.database-platform}) for an older
 * server, say, and this says so.
 */
class TimestampPrecisionCheck implements InitializingBean {

	static final Instant PROBE = Instant.parse("2000-01-01T00:00:00.123456Z");

	private final EntityManagerFactory entityManagerFactory;

	TimestampPrecisionCheck(EntityManagerFactory entityManagerFactory) {
		this.entityManagerFactory = entityManagerFactory;
	}

	@Override
	public void afterPropertiesSet() {
		EntityManager entityManager = this.entityManagerFactory.createEntityManager();
		try {
			Instant back = entityManager.createNativeQuery("select cast(:probe as datetime(6))", Instant.class)
				.setParameter("probe", PROBE)
				.getSingleResult() instanceof Instant instant ? instant : null;
			if (!PROBE.equals(back)) {
				String driverAndServer = entityManager.unwrap(Session.class).doReturningWork((connection) -> {
					DatabaseMetaData database = connection.getMetaData();
					return database.getDriverName() + " " + database.getDriverVersion() + " on server "
							+ database.getDatabaseProductVersion();
				});
				throw new IllegalStateException("The database driver " + driverAndServer + " stores " + PROBE + " as "
						+ back + ": it cuts the fractional seconds off every timestamp. Leave the Hibernate dialect to"
						+ " the relay (no spring.jpa.database-platform).");
			}
		}
		finally {
			entityManager.close();
		}
	}

}
