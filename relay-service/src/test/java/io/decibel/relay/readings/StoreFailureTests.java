package io.decibel.relay.readings;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.Test;

import org.springframework.dao.CannotAcquireLockException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.orm.jpa.JpaSystemException;
import org.springframework.transaction.CannotCreateTransactionException;

import static org.assertj.core.api.Assertions.assertThat;

/** The failures of an attempt to store, as MariaDB and MySQL report them through the driver, JPA and Spring. */
class StoreFailureTests {

	@Test
	void retriesWhatTheDatabaseWillGetOver() {
		assertThat(StoreFailure.of(wrapped(new SQLException("Deadlock found", "40001", 1213))))
			.isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(wrapped(new SQLException("Lock wait timeout exceeded", "HY000", 1205))))
			.isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(new CannotCreateTransactionException("no connection",
				new SQLTransientConnectionException("Connection is not available, request timed out after 3000ms"))))
			.isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(new CannotAcquireLockException("lock"))).isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(wrapped(new SQLException("Socket fail to connect", "08000", 0))))
			.isEqualTo(StoreFailure.TRANSIENT);
	}

	@Test
	void waitsForTheOperatorWhenEveryReadingWouldFailAlike() {
		assertThat(StoreFailure.of(wrapped(new SQLException("Table 'decibel.readings' doesn't exist", "42S02", 1146))))
			.isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(wrapped(new SQLException("INSERT command denied to user", "42000", 1142))))
			.isEqualTo(StoreFailure.TRANSIENT);
		assertThat(StoreFailure.of(wrapped(new SQLException("The table 'readings' is full", "HY000", 1114))))
			.isEqualTo(StoreFailure.TRANSIENT);
	}

	@Test
	void looksAgainAfterADuplicateKey() {
		assertThat(StoreFailure.of(new DataIntegrityViolationException("insert", new BatchUpdateException(
				"(conn=5) Duplicate entry 'a-1' for key 'PRIMARY'", "23000", 1062, new int[0]))))
			.isEqualTo(StoreFailure.DUPLICATE_KEY);
		assertThat(StoreFailure.of(new DuplicateKeyException("duplicate"))).isEqualTo(StoreFailure.DUPLICATE_KEY);
	}

	@Test
	void splitsWhatTheDatabaseWillRefuseAgain() {
		assertThat(StoreFailure.of(wrapped(new SQLException("Data too long for column 'source'", "22001", 1406))))
			.isEqualTo(StoreFailure.LASTING);
		assertThat(StoreFailure.of(wrapped(new SQLException("Out of range value for column 'rms'", "22003", 1264))))
			.isEqualTo(StoreFailure.LASTING);
		assertThat(StoreFailure.of(wrapped(new SQLException("Incorrect string value", "HY000", 1366))))
			.isEqualTo(StoreFailure.LASTING);
		assertThat(StoreFailure.of(wrapped(new SQLException("CONSTRAINT `c` failed for `readings`", "23000", 4025))))
			.isEqualTo(StoreFailure.LASTING);
		assertThat(StoreFailure.of(new JpaSystemException(new PersistenceException("could not execute batch",
				new SQLException("refused by a trigger", "45000", 1644)))))
			.isEqualTo(StoreFailure.LASTING);
		assertThat(StoreFailure.of(new DataIntegrityViolationException("constraint")))
			.isEqualTo(StoreFailure.LASTING);
	}

	@Test
	void knowsWhenItDoesNotKnow() {
		assertThat(StoreFailure.of(new IllegalStateException("something new"))).isEqualTo(StoreFailure.UNKNOWN);
		assertThat(StoreFailure.of(wrapped(new SQLException("a server error never seen", "HY000", 9999))))
			.isEqualTo(StoreFailure.UNKNOWN);
	}

	@Test
	void givesTheDatabasesReasonWithoutTheDriversPrefix() {
		assertThat(StoreFailure.reasonOf(wrapped(
				new SQLException("(conn=42) Data too long for column 'source' at row 1", "22001", 1406))))
			.isEqualTo("Data too long for column 'source' at row 1");
	}

	private static RuntimeException wrapped(SQLException cause) {
		return new JpaSystemException(new PersistenceException("could not execute statement", cause));
	}

}
