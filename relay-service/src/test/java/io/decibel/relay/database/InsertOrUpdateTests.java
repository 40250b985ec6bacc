package io.decibel.relay.database;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The insert-or-update form by the server's version; the statements themselves run on MariaDB in the first CI pass
 * and on MySQL 9.7 in the second (the level, retention and alert tests).
 */
class InsertOrUpdateTests {

	static final String INSERT = "insert into t (k, a, b) values (?, ?, ?), (?, ?, ?)";

	@Test
	void namesTheInsertedRowByAnAliasOnMySql() {
		InsertOrUpdate upsert = InsertOrUpdate.forServer("9.7.4-2");

		assertThat(upsert.statement(INSERT, upsert.replacing("a, b")))
			.isEqualTo(INSERT + " as new on duplicate key update a = new.a, b = new.b");
		assertThat(InsertOrUpdate.forServer("8.0.19").inserted("a")).isEqualTo("new.a");
		assertThat(InsertOrUpdate.forServer("8.4.3").inserted("a")).isEqualTo("new.a");
	}

	@Test
	void keepsValuesOnMariaDbAndOlderMySql() {
		InsertOrUpdate upsert = InsertOrUpdate.forServer("10.11.19-MariaDB-0+deb12u1");

		assertThat(upsert.statement(INSERT, "a = greatest(a, " + upsert.inserted("a") + ")"))
			.isEqualTo(INSERT + " on duplicate key update a = greatest(a, values(a))");
		assertThat(InsertOrUpdate.forServer("11.4.5-MariaDB").inserted("a")).isEqualTo("values(a)");
		assertThat(InsertOrUpdate.forServer("5.5.5-10.11.19-MariaDB").inserted("a")).isEqualTo("values(a)");
		assertThat(InsertOrUpdate.forServer("8.0.18").inserted("a")).isEqualTo("values(a)");
		assertThat(InsertOrUpdate.forServer("unknown").inserted("a")).isEqualTo("values(a)");
	}

}
