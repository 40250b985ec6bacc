package io.decibel.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TestInfrastructureTests {

	@Test
	void namesADatabaseOnAServerForEitherDriverKeepingTheServersOptions() {
		assertThat(TestInfrastructure.databaseUrl("jdbc:mariadb://127.0.0.1:3306", "relay_1"))
			.isEqualTo("jdbc:mariadb://127.0.0.1:3306/relay_1?createDatabaseIfNotExist=true");
		assertThat(TestInfrastructure.databaseUrl("jdbc:mysql://127.0.0.1:3306/", "relay_1"))
			.isEqualTo("jdbc:mysql://127.0.0.1:3306/relay_1?createDatabaseIfNotExist=true");
		assertThat(TestInfrastructure.databaseUrl("jdbc:mysql://127.0.0.1:3306/?sslMode=DISABLED", "relay_1"))
			.isEqualTo("jdbc:mysql://127.0.0.1:3306/relay_1?createDatabaseIfNotExist=true&sslMode=DISABLED");
	}

}
