package io.decibel.relay.database;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.beans.factory.InitializingBean;

/**
 * Refuses MySQL Connector/J ({@code jdbc:mysql://}) on a MariaDB server, before Hibernate starts, naming
 * {@code jdbc:mariadb://}. Each driver is for its own server: Connector/J takes MariaDB 10 for a MySQL 5.5 by the
 * version it announces ({@code 5.5.5-10.…}) and cuts the fraction off every timestamp it sends, and asks MariaDB 11
 * for metadata it lacks ({@code Unknown column 'RESERVED'}). MariaDB's driver on MySQL is fine.
 */
class DatabaseDriverCheck implements InitializingBean {

	private final DataSource dataSource;

	DatabaseDriverCheck(DataSource dataSource) {
		this.dataSource = dataSource;
	}

	@Override
	public void afterPropertiesSet() throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			DatabaseMetaData database = connection.getMetaData();
			String server = database.getDatabaseProductVersion();
			if (database.getDriverName().startsWith("MySQL Connector/J") && server.contains("MariaDB")) {
				throw new IllegalStateException("MySQL Connector/J (jdbc:mysql://) is for MySQL servers, and this"
						+ " server is MariaDB (" + server + "). For MariaDB, use MariaDB's own driver: a jdbc:mariadb://"
						+ " URL (spring.datasource.url, e.g. jdbc:mariadb://host:3306/decibel).");
			}
		}
	}

}
