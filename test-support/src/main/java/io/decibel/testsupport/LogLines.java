package io.decibel.testsupport;

import java.util.regex.Pattern;

/** What the tests look for in a service's log. */
public final class LogLines {

	/** A line at WARN or ERROR about the database: what a server refusing the relay's SQL looks like in its log. */
	private static final Pattern SQL_TROUBLE = Pattern.compile("\\b(WARN|ERROR)\\b.*(?i:sql|jdbc|hibernate|hhh\\d)");

	private LogLines() {
	}

	public static boolean isSqlTrouble(String line) {
		return SQL_TROUBLE.matcher(line).find();
	}

}
