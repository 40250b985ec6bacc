package io.decibel.relay.database;

import java.time.Instant;

import org.hibernate.dialect.DatabaseVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectorJOnMariaDbTests {

	@Test
	void readsMariaDbsVersionBehindTheHandshakePrefixAndNothingElse() {
		assertThat(version(ConnectorJOnMariaDb.mariaDbVersion("5.5.5-10.11.19-MariaDB-0+deb12u1"))).isEqualTo("10.11.19");
		assertThat(version(ConnectorJOnMariaDb.mariaDbVersion("11.4.5-MariaDB"))).isEqualTo("11.4.5");
		assertThat(ConnectorJOnMariaDb.mariaDbVersion("8.4.3")).isNull();
		assertThat(ConnectorJOnMariaDb.mariaDbVersion(null)).isNull();
	}

	private static String version(DatabaseVersion version) {
		return version.getDatabaseMajorVersion() + "." + version.getDatabaseMinorVersion() + "."
				+ version.getDatabaseMicroVersion();
	}

	@Test
	void tellsMysqlsDriverFromMariaDbsWhichCallsItselfMariaDbConnectorJ() {
		assertThat(ConnectorJOnMariaDb.isConnectorJ("MySQL Connector/J")).isTrue();
		assertThat(ConnectorJOnMariaDb.isConnectorJ("MariaDB Connector/J")).isFalse();
	}

	@Test
	void bindsAnInstantAsUtcTextToTheMicrosecond() {
		assertThat(ConnectorJOnMariaDb.InstantAsText.text(Instant.parse("2026-11-29T19:42:09.520001999Z")))
			.isEqualTo("2026-11-29 19:42:09.520001");
	}

}
