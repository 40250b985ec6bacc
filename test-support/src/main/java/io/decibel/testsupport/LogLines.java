package io.decibel.testsupport;

import java.util.regex.Pattern;

/** What the tests look for in a service's log. */
public final class LogLines {

	/**
	 * A line at WARN or ERROR that carries an error the database server sent: what a server refusing the relay's SQL
	 * looks like in its log, through Hibernate ({@code ErrorCode: 1064, SQLState: 42000}, then the server's message),
	 * Spring's JDBC support ({@code SQL [insert …]}) or MariaDB's driver ({@code Error: 1062-23000: …}). Not a
	 * connection the pool found closed (a test that stopped the shared server): that is no statement's fault.
	 */
	private static final Pattern SQL_TROUBLE = Pattern.compile("\\b(WARN|ERROR)\\b.*(ErrorCode: \\d|SQLState|SQL \\[|"
			+ "Error: \\d{4}-|bad SQL grammar|SQLSyntaxError|Duplicate entry|You have an error in your SQL syntax)");

	private LogLines() {
	}

	public static boolean isSqlTrouble(String line) {
		return SQL_TROUBLE.matcher(line).find();
	}

}
