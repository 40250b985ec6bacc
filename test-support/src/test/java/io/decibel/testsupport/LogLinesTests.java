package io.decibel.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The lines the relay logged when MySQL refused its SQL, and lines that are no statement's fault. */
class LogLinesTests {

	@Test
	void findsWhatTheServerRefused() {
		assertThat(LogLines.isSqlTrouble("2026-12-07 15:01:41,139 WARN  - HHH000247: ErrorCode: 1062, SQLState: 23000"))
			.isTrue();
		assertThat(LogLines.isSqlTrouble(
				"2026-12-07 15:01:41,139 WARN  - Duplicate entry 'cj-kitchen-1' for key 'readings.PRIMARY'"))
			.isTrue();
		assertThat(LogLines.isSqlTrouble(
				"2026-12-07 15:20:43,677 WARN  - Error: 1062-23000: Duplicate entry 'hall-1' for key 'PRIMARY'"))
			.isTrue();
		assertThat(LogLines.isSqlTrouble("2026-12-07 15:02:40,145 WARN  - Retention stopped for this run, next in"
				+ " PT0.2S: org.springframework.dao.DataIntegrityViolationException: PreparedStatementCallback; SQL"
				+ " [insert into reading_horizons (device_id, retained_from) values (?, ?)]; Column 'retained_from' in"
				+ " field list is ambiguous"))
			.isTrue();
	}

	@Test
	void leavesOtherLinesAlone() {
		assertThat(LogLines.isSqlTrouble("2026-12-07 16:00:33,562 WARN  - HikariPool-1 - Failed to validate connection"
				+ " org.mariadb.jdbc.Connection@26ca653d ((conn=10) Connection.setNetworkTimeout cannot be called on a"
				+ " closed connection). Possibly consider using a shorter maxLifetime value."))
			.isFalse();
		assertThat(LogLines.isSqlTrouble("2026-12-07 15:20:43,661 INFO  - STORED device=hall seq=1")).isFalse();
		assertThat(LogLines.isSqlTrouble("2026-12-07 15:20:43,677 INFO  - HHH100503: JDBC batch still contained JDBC"
				+ " statements on release")).isFalse();
	}

}
