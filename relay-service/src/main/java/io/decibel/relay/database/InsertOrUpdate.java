package io.decibel.relay.database;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The relay's one builder of insert-or-update statements ({@code insert … on duplicate key update …}), in the form
 * its server takes. MySQL names the row being inserted by an alias ({@code insert … values (…) as new on duplicate
 * key update c = new.c}, from 8.0.19) and deprecates {@code values(c)} there; MariaDB knows no such alias and keeps
 * {@code values(c)}. The server decides once, at start, from the connection's metadata.
 */
public final class InsertOrUpdate {

	private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+).*");

	private static final String ALIAS = "new";

	private final boolean rowAlias;

	private InsertOrUpdate(boolean rowAlias) {
		this.rowAlias = rowAlias;
	}

	/** The form of the server behind this connection's metadata. */
	static InsertOrUpdate of(DatabaseMetaData database) throws SQLException {
		return forServer(database.getDatabaseProductVersion());
	}

	/**
	 * The form of a server by the version it reports: {@code 9.7.4-2} (MySQL), {@code 10.11.19-MariaDB-0+deb12u1}.
	 */
	public static InsertOrUpdate forServer(String version) {
		Matcher number = VERSION.matcher(version);
		boolean mysql = !version.contains("MariaDB") && number.matches();
		return new InsertOrUpdate(mysql && atLeast8019(Integer.parseInt(number.group(1)),
				Integer.parseInt(number.group(2)), Integer.parseInt(number.group(3))));
	}

	private static boolean atLeast8019(int major, int minor, int patch) {
		return major > 8 || (major == 8 && (minor > 0 || patch >= 19));
	}

	/**
	 * The statement: an {@code insert … values (…), (…)} followed by its update clause, e.g.
	 * {@code statement("insert into t (k, v) values (?, ?)", "v = " + inserted("v"))}.
	 */
	public String statement(String insert, String update) {
		return insert + (this.rowAlias ? " as " + ALIAS : "") + " on duplicate key update " + update;
	}

	/** In an update clause, the value the insert gave a column. */
	public String inserted(String column) {
		return this.rowAlias ? ALIAS + "." + column : "values(" + column + ")";
	}

	/** An update clause that replaces these columns ({@code "a, b"}) with the values inserted. */
	public String replacing(String columns) {
		return Arrays.stream(columns.split(", *"))
			.map((column) -> column + " = " + inserted(column))
			.collect(Collectors.joining(", "));
	}

}
